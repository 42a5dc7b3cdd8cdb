/* cor_loss.h -- the loss zoo: built-in families, data-driven losses and batches.
 *
 * A loss (cor_loss) is an expression of an expression pool (cor_expr.h) together with its
 * ordered list of variables theta_1 .. theta_n and, optionally, a partition into m batch
 * losses L_1 .. L_m whose weighted mean is the loss: L = sum_k w_k L_k with w_k = n_k / N
 * (n_k points in batch k, N in all), so w_k = 1/m when the batches have equal sizes. A loss
 * without a partition has one batch, the loss itself.
 *
 * A loss owns its pool unless it was built on a caller's pool (cor_loss_alloc_node).
 * Derivatives (cor_diff.h) are built into the same pool, cor_loss_pool, and evaluated with
 * tapes (cor_eval.h) whose inputs are cor_loss_vars in order.
 *
 * Exactness: every number a family receives (centres, matrices, data values, constants of a
 * spec string) is an exact rational; decimal text such as "0.1" or "1.25e-3" and fractions
 * such as "1/3" are read exactly, never through a C double.
 *
 * Corridor status. H grad L = grad(|grad L|^2 / 2), so a region without critical points is a
 * corridor (Hg = 0, P1 / Thm 2.11) iff |grad L| is locally constant there (an eikonal
 * condition). Each family records which case it is in (cor_loss_corridor_status) and one
 * sentence that says where Hg = 0 (cor_loss_corridor_note). doc/losses.md lists the families,
 * their formulas, parameters, spec strings, variable names and corridor status.
 *
 * Errors: constructors return NULL and record the error (cor_last_error): COR_EINVAL (a bad
 * parameter), COR_EBADLEN (a list of the wrong length), COR_EPARSE (a number, an expression or
 * a data file that does not parse; the message gives the column, or file:line:column),
 * COR_EIO (a file that cannot be read), COR_ERANGE (a number or a size out of range),
 * COR_ENOMEM. Accessors do not fail on a valid loss. Nothing here prints or exits.
 *
 * Threads: a loss is not thread safe (its pool is not); distinct losses are independent.
 */
#ifndef COR_LOSS_H
#define COR_LOSS_H

#include <stddef.h>
#include <stdint.h>

#include <gmp.h>

#include "cor_err.h"
#include "cor_expr.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cor_loss cor_loss;

/* Corridor status of a loss (see the overview). */
typedef enum
{
    COR_CORRIDOR_UNKNOWN = -1,   /* not decided (a user expression) */
    COR_CORRIDOR_NONE = 0,       /* Hg = 0 only on a null set made of critical points, or
                                  * only on a null set of rays/points (no corridor) */
    COR_CORRIDOR_EVERYWHERE = 1, /* Hg = 0 everywhere off a closed null set (kinks, apexes) */
    COR_CORRIDOR_PARTIAL = 2     /* Hg = 0 on a lower-dimensional invariant set without
                                  * critical points (degenerate quadratic, P10) */
} cor_corridor_status;

/* ---- losses from expressions ---------------------------------------------------------- */

/* Parses text (cor_expr_parse grammar) into a new loss with its own pool. vars_csv is the
 * comma-separated variable order, e.g. "x,y,z" (spaces allowed around names); every variable
 * of the text must be listed (COR_EINVAL otherwise) and a listed name may be absent from the
 * text. With vars_csv NULL the variables are taken in order of first appearance. A loss
 * without variables is COR_EINVAL. A parse error is COR_EPARSE with the parser's message
 * ("column C: ..."). Family "expr", status COR_CORRIDOR_UNKNOWN. Allocates. */
cor_loss *cor_loss_alloc_expr(const char *text, const char *vars_csv);

/* A loss whose m batch losses are the m expressions texts[0..m) (m >= 1) and whose full
 * loss is their plain mean (1/m) sum_k L_k, the setting of DESIGN's --batch. vars_csv as
 * for cor_loss_alloc_expr (order of first appearance across the batches when NULL). On a
 * parse error the message is prefixed with "batch K: " (K from 1). Allocates. */
cor_loss *cor_loss_alloc_batches(size_t m, const char *const *texts, const char *vars_csv);

/* A loss on the caller's pool: root with variables vars[0..n) (VAR nodes of pool, pairwise
 * distinct, n >= 1); root may depend on no other variable (COR_EINVAL). The pool is borrowed:
 * it must outlive the loss and is not freed with it. name (copied; NULL means "expr") is
 * the family name. Status COR_CORRIDOR_UNKNOWN. */
cor_loss *cor_loss_alloc_node(cor_expr_pool *pool, cor_node root, size_t n,
                              const cor_node *vars, const char *name);

/* Replaces the partition of L by the m batch losses batches[0..m) (nodes of L's pool that
 * depend on no variable outside L's) with sizes n_k = sizes[k] >= 1 (NULL: all 1, i.e.
 * weights 1/m). The caller asserts that sum_k (n_k/N) L_k equals the loss; this is not
 * checked. Returns COR_OK, COR_EINVAL or COR_ENOMEM (L unchanged on error). */
int cor_loss_set_batches(cor_loss *L, size_t m, const cor_node *batches,
                         const size_t *sizes) COR_WARN_UNUSED;

/* Frees L, and its pool if it owns it. NULL is a no-op. */
void cor_loss_free(cor_loss *L);

/* ---- accessors ------------------------------------------------------------------------ */

/* The pool of L (derivatives are built into it; it stays L's). */
cor_expr_pool *cor_loss_pool(const cor_loss *L);
/* The loss expression. */
cor_node cor_loss_root(const cor_loss *L);
/* Number of variables n and the variables theta_1..theta_n (array of n VAR nodes, owned by
 * L). Their names: cor_expr_var_name(pool, cor_expr_var_index(pool, vars[i])), or
 * cor_loss_var_name. */
size_t cor_loss_dim(const cor_loss *L);
const cor_node *cor_loss_vars(const cor_loss *L);
/* Name of variable i (0 <= i < n; NULL otherwise). Owned by the pool. */
const char *cor_loss_var_name(const cor_loss *L, size_t i);
/* Number of batches m (1 for a loss without a partition) and batch loss k (0 <= k < m;
 * COR_NODE_NONE otherwise). Without a partition batch 0 is the root. */
size_t cor_loss_nbatches(const cor_loss *L);
cor_node cor_loss_batch(const cor_loss *L, size_t k);
/* Number of points n_k of batch k (1 for expression batches) and in all N = sum_k n_k;
 * batch k has weight n_k / N in the loss. 0 for k out of range. */
size_t cor_loss_batch_size(const cor_loss *L, size_t k);
size_t cor_loss_npoints(const cor_loss *L);
/* For a data loss, the point indices (0-based, file order) of batch k, n_k of them, owned by
 * L; NULL for other losses or k out of range. */
const size_t *cor_loss_batch_points(const cor_loss *L, size_t k);
/* Family name ("cone", "quad", "logistic", "expr", ...), and the loss's name: the spec
 * string it was built from (cor_loss_from_spec), else the family name. Owned by L. */
const char *cor_loss_family(const cor_loss *L);
const char *cor_loss_name(const cor_loss *L);
/* Corridor status (a cor_corridor_status value) and one sentence on where Hg = 0. */
int cor_loss_corridor_status(const cor_loss *L);
const char *cor_loss_corridor_note(const cor_loss *L);
/* "everywhere", "partial", "none" or "unknown". */
const char *cor_corridor_status_name(int status);

/* ---- geometric families (corridors and counter-examples) ------------------------------ *
 * Vector arguments are arrays of n rationals; NULL means the documented default. A scalar
 * argument "const mpq_t s" may be NULL for its default. Variables x1 .. xn. */

/* Linear piece <a,theta> + c (a default all ones, c default 0). Corridor everywhere
 * (H = 0) unless a = 0. */
cor_loss *cor_loss_new_linear(size_t n, const mpq_t *a, const mpq_t c);

/* Cone s |theta - c| (centre c default 0, scale s default 1; s < 0 is the concave cone,
 * s = 0 is COR_EINVAL). Corridor everywhere off the apex: |grad L| = |s|. */
cor_loss *cor_loss_new_cone(size_t n, const mpq_t *c, const mpq_t s);

/* Ring s | |theta - c| - R | (R > 0, default 1; c, s as for the cone): the distance to the
 * sphere of radius R about c, a concave cone inside and a convex cone outside, minimal on
 * the sphere. Corridor everywhere off the sphere and the centre. n >= 2. */
cor_loss *cor_loss_new_ring(size_t n, const mpq_t *c, const mpq_t R, const mpq_t s);

/* Ruled corridor |P theta| + <a, theta> where P projects onto the first k coordinates
 * (1 <= k <= n) and a lives in the other n - k: L = |(x1..xk)| + sum_{j>k} a_j x_j with
 * a = a_tail[0..n-k) (default all ones; NULL when k = n). For k = 1 the norm is written
 * abs(x1). Corridor everywhere off {x1 = .. = xk = 0} (P1): |grad L|^2 = 1 + |a|^2. */
cor_loss *cor_loss_new_ruled(size_t n, size_t k, const mpq_t *a_tail);

/* Anisotropic cone sqrt(theta^T S theta), S symmetric positive definite (row-major n x n;
 * COR_EINVAL if not symmetric or not positive definite, checked exactly). NULL S is
 * diag(1, 9, 1, 9, ...) (1 in odd, 9 in even positions), so n = 2 gives P1's
 * sqrt(x^2 + 9y^2). Not a corridor unless S is a multiple of I: Hg
 * vanishes only on the rays along eigenvectors of S. */
cor_loss *cor_loss_new_acone(size_t n, const mpq_t *S);

/* Glued surface in two variables x, y (Figure 1b analogue): the pieces, each a corridor,
 * are combined as L = max(F_1, .., F_q, min(P_1, .., P_p)) where the P are the min-pieces
 * and the F the floor pieces, so L is a corridor off the gluing lines and the pieces' own
 * kinks. pieces is a list of key=values items in the spec grammar (see cor_loss_from_spec),
 * keys repeatable, in any order:
 *   cone=cx,cy[,s[,b]]          s |theta - c| + b                     (s default 1, b 0)
 *   ring=cx,cy,R[,s[,b]]        s | |theta - c| - R | + b
 *   ruled=nx,ny,d[,s[,b[,t]]]   s |nx x + ny y - d| + b + t (ny x - nx y)  (n != 0)
 *   plane=ax,ay[,b]             ax x + ay y + b
 *   floor=ax,ay[,b]             a floor piece ax x + ay y + b (joined by max)
 * At least one min-piece is required. NULL or "" is the default surface
 * COR_LOSS_GLUED_DEFAULT: a ring (moat of radius 2 about (-3,0), concave peak inside), a
 * convex cone with minimum 1/2 at (4,2), a ruled valley along y = -5 rising with x, a
 * plane in the upper left and a tilted floor on the far left; non-convex, non-smooth on the
 * gluing lines, and a corridor everywhere else. */
#define COR_LOSS_GLUED_DEFAULT                                                              \
    "ring=-3,0,2,cone=4,2,1,1/2,ruled=0,1,-5,1,3/2,1/4,plane=1/2,-1/2,7,floor=-1/8,0,-1"
cor_loss *cor_loss_new_glued(const char *pieces);

/* ---- smooth families ------------------------------------------------------------------ */

/* Quadratic (1/2) theta^T A theta + <b, theta> + c, A symmetric (row-major n x n,
 * COR_EINVAL otherwise; NULL is diag(1, 10, 1, 10, ...), so n = 2 gives 0.5(x^2 + 10y^2)),
 * b default 0, c default 0. The corridor status is
 * decided exactly: A = 0 (and b != 0): everywhere (linear); A singular, nonzero, b not in
 * range(A): partial, Hg = 0 exactly on the affine subspace {A theta = -b_R} (P10); otherwise
 * none. */
cor_loss *cor_loss_new_quadratic(size_t n, const mpq_t *A, const mpq_t *b, const mpq_t c);

/* Rosenbrock s sum_{i<n} [(a - x_i)^2 + b (x_{i+1} - x_i^2)^2], n >= 2 (defaults a = 1,
 * b = 100, s = 1). Variables x, y for n = 2, else x1 .. xn. PREDICTIONS case (ii),
 * 0.5(1-x)^2 + 5(y-x^2)^2, is a = 1, b = 10, s = 1/2. Not a corridor. */
cor_loss *cor_loss_new_rosenbrock(size_t n, const mpq_t a, const mpq_t b, const mpq_t s);

/* ---- networks and factorisations ------------------------------------------------------ */

/* Scalar linear network (1/2)(w_1 w_2 ... w_N - y)^2, N = depth >= 1, y default 1.
 * Variables w1 .. wN. Not a corridor. */
cor_loss *cor_loss_new_scalarnet(size_t depth, const mpq_t y);

/* Deep linear network (1/2) |W_N ... W_1 - T|_F^2 (whitened-input setting) with layer
 * widths d_0 .. d_N (dims[0..N], N = nlayers >= 1, each >= 1): W_k is d_k x d_{k-1}, T is
 * d_N x d_0 row-major (NULL: 1 on the diagonal, 0 elsewhere). Variables wK_I_J = entry
 * (I, J) of W_K, 1-based, ordered by layer, then row-major. Not a corridor. */
cor_loss *cor_loss_new_deeplinear(size_t nlayers, const size_t *dims, const mpq_t *T);

/* Matrix factorisation (1/2) sum_{(i,j) in Omega} ((U V^T)_ij - M_ij)^2 with U (m x r),
 * V (n x r), M (m x n, row-major, NULL: M_ij = i + j with 1-based i, j, a rank-2 matrix).
 * mask (m x n row-major, nonzero = observed) selects Omega; NULL observes all entries
 * (family "matfact"), otherwise family "matcomp" (completion). Variables uI_K then vJ_K
 * (1-based, row-major). Not a corridor. */
cor_loss *cor_loss_new_matfact(size_t m, size_t n, size_t r, const mpq_t *M,
                               const unsigned char *mask);

/* ---- data sets and data-driven losses ------------------------------------------------- */

typedef struct cor_dataset cor_dataset;

typedef enum
{
    COR_DATA_AUTO = 0, /* LIBSVM if the first data line has a ':', else CSV */
    COR_DATA_CSV,
    COR_DATA_LIBSVM
} cor_data_format;

/* Reads a data set: N points with d features and one label each, values exact rationals
 * read from their decimal (or p/q) text.
 *  CSV: one point per line, fields separated by ',', surrounded by optional blanks; the LAST
 *   field is the label, the others the d >= 1 features. All lines have the same number of
 *   fields. The first line may be a header, recognised when none of its fields is a number.
 *  LIBSVM: "label idx:val idx:val ..." separated by blanks, indices 1-based and strictly
 *   increasing, absent features 0; d is the largest index in the file.
 * Both: blank lines and lines whose first non-blank character is '#' are skipped; "\r\n"
 * line ends are accepted. Errors: COR_EIO if the file cannot be read; COR_EPARSE for a
 * malformed file, with "PATH:LINE:COL: what" in the message; COR_EINVAL for a file without
 * points; COR_ERANGE for more than 2^24 values (dense storage). Allocates. */
cor_dataset *cor_dataset_read(const char *path, cor_data_format format);
/* A data set of npoints x nfeatures zeros with zero labels (both >= 1, COR_EINVAL
 * otherwise; at most 2^24 values in all, COR_ERANGE), to fill with cor_dataset_set. */
cor_dataset *cor_dataset_alloc(size_t npoints, size_t nfeatures);
/* Frees D. NULL is a no-op. A loss built from D does not need D afterwards. */
void cor_dataset_free(cor_dataset *D);
/* Number of points N and of features d. */
size_t cor_dataset_npoints(const cor_dataset *D);
size_t cor_dataset_nfeatures(const cor_dataset *D);
/* Feature j of point i (0 <= j < d) or, for j = d, its label; out of range: COR_EINVAL. */
int cor_dataset_get(mpq_t out, const cor_dataset *D, size_t i, size_t j) COR_WARN_UNUSED;
int cor_dataset_set(cor_dataset *D, size_t i, size_t j, const mpq_t v) COR_WARN_UNUSED;

/* How the N points of a data loss are split into m batches. */
typedef struct
{
    size_t nbatches; /* m, 1 <= m <= N; 0 is read as 1 */
    int shuffle;     /* 0: contiguous blocks in file order; else a permutation drawn from seed */
    uint64_t seed;   /* seed of the permutation (splitmix64 + Fisher-Yates, documented in
                      * doc/losses.md, identical on every platform) */
} cor_batching;

/* Batch k (0-based) gets positions floor(kN/m) .. floor((k+1)N/m) - 1 of the order (file
 * order, or the permutation), so sizes differ by at most one. */

/* Logistic regression: L = (1/N) sum_i softplus(-y_i (<w, x_i> + b)) + (l2/2) |w|^2, batch
 * loss = the same mean over the batch's points (plus the same l2 term). Labels must be all
 * in {-1, +1} or all in {0, 1} (0 is read as -1); COR_EINVAL otherwise. Variables w1 .. wd,
 * then b when intercept is nonzero. batching NULL: one batch. l2 NULL: 0. Not a corridor. */
cor_loss *cor_loss_new_logistic(const cor_dataset *D, const cor_batching *batching,
                                int intercept, const mpq_t l2);

/* Least squares: L = (1/N) sum_i (1/2)(<w, x_i> + b - y_i)^2 + (l2/2)|w|^2, batches as for
 * logistic, any rational labels. Not a corridor (a quadratic whose linear term lies in the
 * range of its Hessian). */
cor_loss *cor_loss_new_lsq(const cor_dataset *D, const cor_batching *batching, int intercept,
                           const mpq_t l2);

/* ---- spec strings --------------------------------------------------------------------- */

/* A loss from a spec string, for command lines:
 *   spec   := family [':' item (',' item)*]
 *   item   := key '=' value | value        (a bare value extends the previous key's list)
 *   value  := number | word                 number: [+-]digits[.digits][e[+-]digits][/...]
 * e.g. "cone:n=3,c=1/2,0,0", "quad:A=1,0,0,0,b=0,1", "logistic:file=d.csv,batches=4".
 * Families and keys (defaults in doc/losses.md): linear (n a c), cone and ccone (n c s),
 * ring (n c R s), ruled (n k a), acone (n diag S), glued (the piece keys above), quad
 * (n A diag b c), rosenbrock (n a b s), scalarnet (depth y), deeplinear (dims T), matfact and
 * matcomp (m n r M mask), logistic and lsq (file format batches shuffle seed intercept l2).
 * n defaults to the length of a given vector. Unknown families or keys are COR_EINVAL, a
 * bad number COR_EPARSE with its column, a list of the wrong length COR_EBADLEN. The loss's
 * name is spec. Allocates. */
cor_loss *cor_loss_from_spec(const char *spec);

/* The family names accepted by cor_loss_from_spec, a NULL-terminated static array. */
const char *const *cor_loss_families(void);

/* Nonzero when spec names a family of cor_loss_from_spec: the text before the first ':'
 * (all of it if none) is a family name. Lets a command line tell a spec from an expression
 * (write "(cone)" for an expression in a variable called cone). */
int cor_loss_is_spec(const char *spec);

/* Reads a rational from text[0..len) (len = (size_t)-1: up to the NUL): a decimal literal
 * [+-]digits[.digits][(e|E)[+-]digits] (or .digits), optionally followed by '/' and a
 * second unsigned literal, e.g. "-1.25e-3", "1/3", "2.5/7". Exact. Returns COR_OK,
 * COR_EPARSE (recorded, naming the text) or COR_ERANGE (a decimal exponent beyond 10^6). */
int cor_loss_parse_q(mpq_t out, const char *text, size_t len) COR_WARN_UNUSED;

#ifdef __cplusplus
}
#endif
#endif
