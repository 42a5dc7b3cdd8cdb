# Large steps, natural gradient and corridorness (lib/spectral): PREDICTIONS.md P12-P15, case
# (vii). `make tables` writes the TSVs under results/, `make figures` renders doc/figures/.
noinst_PROGRAMS += exp_largestep
exp_largestep_SOURCES = exp_largestep.c spectral_util.c spectral_util.h

LARGESTEP_TABLES = $(RESULTS)/largestep_quad.tsv $(RESULTS)/largestep_phase.tsv \
	$(RESULTS)/largestep_onset.tsv $(RESULTS)/largestep_identity.tsv \
	$(RESULTS)/largestep_eos.tsv
TABLES += $(LARGESTEP_TABLES)

$(RESULTS)/largestep_quad.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only quad
$(RESULTS)/largestep_phase.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only phase
$(RESULTS)/largestep_onset.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only onset
$(RESULTS)/largestep_identity.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only identity
$(RESULTS)/largestep_eos.tsv: exp_largestep$(EXEEXT)
	@$(MKDIR_P) $(RESULTS)
	$(AM_V_GEN)./exp_largestep$(EXEEXT) -o $(RESULTS) --only eos
