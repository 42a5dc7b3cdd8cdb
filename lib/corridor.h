/* corridor.h -- umbrella header of libcorridor. */
#ifndef CORRIDOR_H
#define CORRIDOR_H
#include "cor_err.h"
#include "cor_sys.h"
#include "cor_vspace.h"
#include "cor_expr.h"
#include "cor_diff.h"
#include "cor_eval.h"
#include "cor_loss.h"
#include "cor_table.h"
#include "cor_taylor.h"
#include "cor_flow.h"
#include "cor_objective.h"
#include "cor_step.h"
#include "cor_drift.h"
#include "cor_spectral.h"
#include "cor_nn.h"
#include "cor_data.h"
#include "cor_train.h"
#endif
