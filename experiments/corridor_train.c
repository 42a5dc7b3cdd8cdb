/* corridor_train.c -- `corridor train`: trains a float32 network (lib/nn) on an image data set
 * (lib/data) with any stepper of lib/step, driven through the nn objective. The update rule
 * lives only in lib/step: this file feeds batches to the objective, calls cor_step_apply, logs,
 * evaluates and checkpoints.
 *
 * Reproducibility: batch (epoch e, index b) is a pure function of the data, the options and
 * --seed (lib/data's counter-based generator), the model starts from cor_nn_model_init(seed),
 * and with --deterministic the kernels are bitwise reproducible for a given --threads. A
 * checkpoint holds everything else that evolves: parameters, batch-norm statistics, the
 * stepper's history (cor_step_state_save) and the position (step, epoch, batch). Resuming
 * therefore continues bit for bit as if the run had not stopped (tests/test_train_resume.sh).
 *
 * Log (--log FILE): TSV written to FILE.partial as the run goes (one line per step, flushed)
 * and renamed to FILE when the run ends (also after a divergence), so FILE is always complete
 * and a killed run leaves its rows in FILE.partial. --resume with the same --log drops the
 * rows after the checkpoint's step from FILE.partial and appends, so the finished log of a
 * resumed run has the rows of an uninterrupted one. Columns: kind (train | test | val), step,
 * epoch, loss, accuracy, lr, grad_norm, hg_norm, sharpness. Train rows describe the update
 * from theta_k on its batch (loss, |grad| and lr as the stepper computed them; accuracy of
 * the stepper's loss evaluation, train-mode batch norm, free from the objective
 * (cor_nn_objective_last_ncorrect), or with --train-acc of theta_k with inference-mode batch
 * norm; hg_norm = |H grad L| with --log-hg N every N steps; sharpness = the top Hessian
 * eigenvalue by Lanczos with --log-sharpness N every N steps); test rows the whole test set
 * after each epoch. The curvature probes (hg, Lanczos) run before the step at theta_k,
 * restore the batch-norm statistics and draw no data random numbers, so logging them leaves
 * the run unchanged bit for bit (tests/test_train_curvature.sh). With --holdout N the
 * evaluation rows are "val" rows on N training samples held out of training.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "cor_data.h"
#include "cor_nn.h"
#include "cor_objective.h"
#include "cor_spectral.h"
#include "cor_step.h"
#include "cor_train.h"
#include "cor_vspace.h"

extern const cli_command cli_cmd_train;

static const char usage[] =
    "Usage: corridor train --model NAME --data FORMAT:PATH --method NAME [--lr H]\n"
    "                      (--epochs E | --steps N) [options]\n"
    "\n"
    "Trains a float32 network with a stepper of lib/step (the same code as `corridor run`)\n"
    "on minibatches, logs every step, evaluates the test set after every epoch, and writes\n"
    "checkpoints that resume bit for bit.\n"
    "\n"
    "Options:\n"
    "      --model NAME       mlp:A-B-...-Z, cnn-small, cnn-medium, vgg-small, vgg11, vgg16,\n"
    "                         resnet-small, resnet18-cifar, resnet18-imagenet, resnet50\n"
    "      --data FMT:PATH    idx:DIR (MNIST file names), mnist:DIR, fashion-mnist[:DIR]\n"
    "                         (default DIR /usr/share/datasets/fashion-mnist), cifar10:DIR\n"
    "                         (data_batch_1..5.bin, test_batch.bin), imagenet:DIR (DIR/train\n"
    "                         and DIR/val, each a folder of class folders of JPEGs)\n"
    "      --method NAME      gd, sgd (= gd on each minibatch), heavyball, nesterov, adam,\n"
    "                         clr, sps, decsps, polyak_lb, rk4, ... (any lib/step stepper)\n"
    "      --lr H             step size (not for clr and the Polyak family)\n"
    "      --beta B           momentum (heavyball, nesterov; adam: beta1)\n"
    "      --lstar V, --lr-max C, --clip, --bound B, --param NAME=VALUE  (as corridor run)\n"
    "      --batch B          minibatch size (default 128)\n"
    "      --epochs E         number of passes over the training set, or\n"
    "      --steps N          number of updates\n"
    "      --seed S           model initialisation, shuffling and augmentation (default 0)\n"
    "      --threads T        kernel threads (default: the online processors)\n"
    "      --deterministic    bitwise reproducible kernels\n"
    "      --weight-decay WD  adds (WD/2)|theta|^2 to the loss (default 0)\n"
    "      --augment on|off   random crop and flip (default on for cifar10 and imagenet)\n"
    "      --image-size S     imagenet: crop size (default 224; resize to S*8/7)\n"
    "      --log FILE         per-step and per-epoch TSV log (see doc/train.md)\n"
    "      --log-hg N         log |H grad L| every N steps (a finite-difference HVP)\n"
    "      --log-sharpness N  log the top Hessian eigenvalue on the batch every N steps\n"
    "                         (Lanczos on the finite-difference HVP)\n"
    "      --sharpness-iters K  at most K Lanczos steps (2 gradient passes each; default 20)\n"
    "      --sharpness-tol T  Lanczos relative residual tolerance (default 1e-3)\n"
    "      --train-acc        log the batch accuracy of theta_k with inference-mode batch\n"
    "                         norm (one extra pass per step; default: the accuracy of the\n"
    "                         step's own train-mode forward pass, free)\n"
    "      --no-eval          no test-set evaluation\n"
    "      --holdout N        hold N training samples out (a fixed random choice, the same\n"
    "                         for every --seed) and evaluate on them instead of the test\n"
    "                         set, which is then never read: rows and summary say 'val'\n"
    "      --checkpoint FILE  write checkpoints there (atomically), after every epoch, at\n"
    "                         the end, and on divergence\n"
    "      --checkpoint-every N  also every N steps\n"
    "      --resume FILE      continue the run of that checkpoint (its options are used;\n"
    "                         options given again must agree, --epochs/--steps may grow)\n"
    "      --throttle MS      sleep MS milliseconds after each step (tests, demos)\n"
    "      -o FILE, --format FMT, --digits D, -h, -V  (the summary table, as everywhere)\n"
    "\n"
    "Output: a summary table (steps, epochs, final losses and accuracies, params_crc32).\n"
    "Exit status: 0 done; 2 bad input; 1 I/O error (also a corrupt checkpoint or data file);\n"
    "3 the loss became non-finite (a final checkpoint is written first).\n"
    "\n"
    "Example: corridor train --model mlp:784-256-10 --data fashion-mnist --method heavyball\n"
    "             --lr 0.05 --beta 0.9 --batch 128 --epochs 2 --log fmnist.tsv\n";

enum
{
    OPT_MODEL = CLI_OPT_LOCAL,
    OPT_DATA,
    OPT_METHOD,
    OPT_LR,
    OPT_BETA,
    OPT_LSTAR,
    OPT_LRMAX,
    OPT_CLIP,
    OPT_BOUND,
    OPT_PARAM,
    OPT_BATCH,
    OPT_EPOCHS,
    OPT_STEPS,
    OPT_SEED,
    OPT_THREADS,
    OPT_DETERMINISTIC,
    OPT_WD,
    OPT_AUGMENT,
    OPT_IMAGESIZE,
    OPT_LOG,
    OPT_LOGHG,
    OPT_LOGSHARP,
    OPT_SHARPITERS,
    OPT_SHARPTOL,
    OPT_TRAINACC,
    OPT_NOEVAL,
    OPT_CKPT,
    OPT_CKPTEVERY,
    OPT_RESUME,
    OPT_THROTTLE,
    OPT_HOLDOUT
};

#define MAX_PARAMS 16
#define FASHION_DIR "/usr/share/datasets/fashion-mnist"
/* --holdout's split key (lib/data's generator): fixed, so the split never depends on --seed */
#define HOLDOUT_KEY UINT64_C(0x686f6c646f7574) /* "holdout" */

/* The options that define a run: stored in a checkpoint's "config" section as key=value
 * text, restored by --resume. NULL means not given (the default applies). */
typedef struct
{
    const char *key;
    const char *opt;
    const char *value;
} setting;

enum
{
    S_MODEL,
    S_DATA,
    S_METHOD,
    S_LR,
    S_BETA,
    S_LSTAR,
    S_LRMAX,
    S_CLIP,
    S_BOUND,
    S_PARAMS,
    S_BATCH,
    S_SEED,
    S_WD,
    S_AUGMENT,
    S_IMAGESIZE,
    S_DETERMINISTIC,
    S_HOLDOUT,
    S_COUNT
};

typedef struct
{
    cli_common c;
    setting set[S_COUNT];
    char params_text[1024];     /* --param values joined by ';' */
    long epochs, steps, threads, log_hg, ckpt_every, throttle_ms;
    long log_sharp, sharp_iters; /* --log-sharpness N, --sharpness-iters K */
    double sharp_tol;            /* --sharpness-tol T */
    const char *log, *ckpt, *resume;
    int train_acc, no_eval;
} train_opts;

static const setting setting_template[S_COUNT] = {
    {"model", "--model", NULL},         {"data", "--data", NULL},
    {"method", "--method", NULL},       {"lr", "--lr", NULL},
    {"beta", "--beta", NULL},           {"lstar", "--lstar", NULL},
    {"lr_max", "--lr-max", NULL},       {"clip", "--clip", NULL},
    {"bound", "--bound", NULL},         {"params", "--param", NULL},
    {"batch", "--batch", NULL},         {"seed", "--seed", NULL},
    {"weight_decay", "--weight-decay", NULL}, {"augment", "--augment", NULL},
    {"image_size", "--image-size", NULL}, {"deterministic", "--deterministic", NULL},
    {"holdout", "--holdout", NULL},
};

static void
parse_options(train_opts *o, int argc, char **argv)
{
    static const struct option longopts[] = {
        {"help", no_argument, NULL, CLI_OPT_HELP},
        {"version", no_argument, NULL, CLI_OPT_VERSION},
        {"digits", required_argument, NULL, CLI_OPT_DIGITS},
        {"format", required_argument, NULL, CLI_OPT_FORMAT},
        {"output", required_argument, NULL, CLI_OPT_OUTPUT},
        {"model", required_argument, NULL, OPT_MODEL},
        {"data", required_argument, NULL, OPT_DATA},
        {"method", required_argument, NULL, OPT_METHOD},
        {"lr", required_argument, NULL, OPT_LR},
        {"beta", required_argument, NULL, OPT_BETA},
        {"lstar", required_argument, NULL, OPT_LSTAR},
        {"lr-max", required_argument, NULL, OPT_LRMAX},
        {"clip", no_argument, NULL, OPT_CLIP},
        {"bound", required_argument, NULL, OPT_BOUND},
        {"param", required_argument, NULL, OPT_PARAM},
        {"batch", required_argument, NULL, OPT_BATCH},
        {"epochs", required_argument, NULL, OPT_EPOCHS},
        {"steps", required_argument, NULL, OPT_STEPS},
        {"seed", required_argument, NULL, OPT_SEED},
        {"threads", required_argument, NULL, OPT_THREADS},
        {"deterministic", no_argument, NULL, OPT_DETERMINISTIC},
        {"weight-decay", required_argument, NULL, OPT_WD},
        {"augment", required_argument, NULL, OPT_AUGMENT},
        {"image-size", required_argument, NULL, OPT_IMAGESIZE},
        {"log", required_argument, NULL, OPT_LOG},
        {"log-hg", required_argument, NULL, OPT_LOGHG},
        {"log-sharpness", required_argument, NULL, OPT_LOGSHARP},
        {"sharpness-iters", required_argument, NULL, OPT_SHARPITERS},
        {"sharpness-tol", required_argument, NULL, OPT_SHARPTOL},
        {"train-acc", no_argument, NULL, OPT_TRAINACC},
        {"no-eval", no_argument, NULL, OPT_NOEVAL},
        {"checkpoint", required_argument, NULL, OPT_CKPT},
        {"checkpoint-every", required_argument, NULL, OPT_CKPTEVERY},
        {"resume", required_argument, NULL, OPT_RESUME},
        {"throttle", required_argument, NULL, OPT_THROTTLE},
        {"holdout", required_argument, NULL, OPT_HOLDOUT},
        {NULL, 0, NULL, 0},
    };
    int opt;
    size_t nparams = 0;

    memset(o, 0, sizeof *o);
    memcpy(o->set, setting_template, sizeof o->set);
    o->sharp_iters = 20;
    o->sharp_tol = 1e-3;
    cli_common_init(&o->c, "train", usage);
    while ((opt = cli_getopt(argc, argv, "hVo:", longopts, "train")) != -1)
    {
        if (cli_common_option(&o->c, opt, optarg))
            continue;
        switch (opt)
        {
        case OPT_MODEL: o->set[S_MODEL].value = optarg; break;
        case OPT_DATA: o->set[S_DATA].value = optarg; break;
        case OPT_METHOD: o->set[S_METHOD].value = optarg; break;
        case OPT_LR: o->set[S_LR].value = optarg; break;
        case OPT_BETA: o->set[S_BETA].value = optarg; break;
        case OPT_LSTAR: o->set[S_LSTAR].value = optarg; break;
        case OPT_LRMAX: o->set[S_LRMAX].value = optarg; break;
        case OPT_CLIP: o->set[S_CLIP].value = "1"; break;
        case OPT_BOUND: o->set[S_BOUND].value = optarg; break;
        case OPT_BATCH:
            cli_parse_positive("--batch", optarg, 1L << 20);
            o->set[S_BATCH].value = optarg;
            break;
        case OPT_SEED: o->set[S_SEED].value = optarg; break;
        case OPT_WD: o->set[S_WD].value = optarg; break;
        case OPT_AUGMENT:
            if (strcmp(optarg, "on") != 0 && strcmp(optarg, "off") != 0)
                cli_die(CLI_EXIT_USAGE, "--augment: expected on or off, got '%s'", optarg);
            o->set[S_AUGMENT].value = optarg;
            break;
        case OPT_IMAGESIZE:
            cli_parse_positive("--image-size", optarg, 4096);
            o->set[S_IMAGESIZE].value = optarg;
            break;
        case OPT_DETERMINISTIC: o->set[S_DETERMINISTIC].value = "1"; break;
        case OPT_PARAM:
            if (!strchr(optarg, '=') || strchr(optarg, ';') || strchr(optarg, '\n'))
                cli_die(CLI_EXIT_USAGE, "--param: expected NAME=VALUE, got '%s'", optarg);
            if (++nparams > MAX_PARAMS
                || strlen(o->params_text) + strlen(optarg) + 2 > sizeof o->params_text)
                cli_die(CLI_EXIT_USAGE, "--param: too many parameters");
            if (o->params_text[0])
                strcat(o->params_text, ";");
            strcat(o->params_text, optarg);
            o->set[S_PARAMS].value = o->params_text;
            break;
        case OPT_EPOCHS: o->epochs = cli_parse_positive("--epochs", optarg, 1L << 30); break;
        case OPT_STEPS: o->steps = cli_parse_positive("--steps", optarg, 1L << 40); break;
        case OPT_THREADS: o->threads = cli_parse_positive("--threads", optarg, 4096); break;
        case OPT_LOG: o->log = optarg; break;
        case OPT_LOGHG: o->log_hg = cli_parse_positive("--log-hg", optarg, 1L << 40); break;
        case OPT_LOGSHARP:
            o->log_sharp = cli_parse_positive("--log-sharpness", optarg, 1L << 40);
            break;
        case OPT_SHARPITERS:
            o->sharp_iters = cli_parse_positive("--sharpness-iters", optarg, 10000);
            break;
        case OPT_SHARPTOL:
        {
            char *end;
            o->sharp_tol = strtod(optarg, &end);
            if (*end || !*optarg || !(o->sharp_tol > 0) || !(o->sharp_tol < 1))
                cli_die(CLI_EXIT_USAGE, "--sharpness-tol: expected a number in (0, 1), got '%s'",
                        optarg);
            break;
        }
        case OPT_TRAINACC: o->train_acc = 1; break;
        case OPT_NOEVAL: o->no_eval = 1; break;
        case OPT_CKPT: o->ckpt = optarg; break;
        case OPT_CKPTEVERY:
            o->ckpt_every = cli_parse_positive("--checkpoint-every", optarg, 1L << 40);
            break;
        case OPT_RESUME: o->resume = optarg; break;
        case OPT_HOLDOUT:
            cli_parse_positive("--holdout", optarg, 1L << 40);
            o->set[S_HOLDOUT].value = optarg;
            break;
        case OPT_THROTTLE: o->throttle_ms = cli_parse_positive("--throttle", optarg, 60000); break;
        default: break;
        }
    }
    for (int i = 0; i < S_COUNT; i++)
        if (o->set[i].value && strchr(o->set[i].value, '\n'))
            cli_die(CLI_EXIT_USAGE, "%s: a newline in the value", o->set[i].opt);
    if (o->epochs && o->steps)
        cli_die(CLI_EXIT_USAGE, "--epochs and --steps exclude each other");
    if (o->ckpt_every && !o->ckpt)
        cli_die(CLI_EXIT_USAGE, "--checkpoint-every needs --checkpoint FILE");
}

/* The value of setting i, or def. */
static const char *
sval(const train_opts *o, int i, const char *def)
{
    return o->set[i].value ? o->set[i].value : def;
}

/* ---- checkpoints -------------------------------------------------------------------------- */

/* --resume: settings not given come from the checkpoint's config; those given must agree. */
static void
merge_config(train_opts *o, const cor_ckpt *ck, char store[S_COUNT][1024])
{
    for (int i = 0; i < S_COUNT; i++)
    {
        int st = cor_ckpt_get_kv(ck, "config", o->set[i].key, store[i], sizeof store[i]);

        if (st == COR_EPARSE)
        {
            store[i][0] = '\0';
            if (o->set[i].value)
                cli_die(CLI_EXIT_USAGE, "%s %s: the checkpoint %s was made without it",
                        o->set[i].opt, o->set[i].value, o->resume);
            continue; /* not set in the original run either */
        }
        if (st != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "--resume");
        if (o->set[i].value && strcmp(o->set[i].value, store[i]) != 0)
            cli_die(CLI_EXIT_USAGE, "%s %s differs from the checkpoint's value '%s' (%s)",
                    o->set[i].opt, o->set[i].value, store[i], o->resume);
        o->set[i].value = store[i];
    }
}

static char *
config_text(const train_opts *o)
{
    size_t len = 1;
    char *t;

    for (int i = 0; i < S_COUNT; i++)
        if (o->set[i].value)
            len += strlen(o->set[i].key) + strlen(o->set[i].value) + 2;
    if (!(t = cor_malloc(len)))
        cli_die_lib(CLI_EXIT_IO, NULL);
    t[0] = '\0';
    for (int i = 0; i < S_COUNT; i++)
        if (o->set[i].value)
        {
            strcat(t, o->set[i].key);
            strcat(t, "=");
            strcat(t, o->set[i].value);
            strcat(t, "\n");
        }
    return t;
}

typedef struct
{
    uint64_t step, epoch, batch; /* updates done; the next batch to train on */
} position;

static void
write_checkpoint(const char *path, const train_opts *o, cor_nn_model *m, const cor_step *s,
                 const position *pos)
{
    cor_ckpt *ck = cor_ckpt_alloc();
    char *cfg = config_text(o), progress[256];
    unsigned char *stb = NULL;
    size_t stlen = 0;

    snprintf(progress, sizeof progress, "step=%llu\nepoch=%llu\nbatch=%llu\n",
             (unsigned long long)pos->step, (unsigned long long)pos->epoch,
             (unsigned long long)pos->batch);
    if (!ck || cor_step_state_save(s, NULL, 0, &stlen) != COR_OK
        || !(stb = cor_malloc(stlen ? stlen : 1))
        || cor_step_state_save(s, stb, stlen, &stlen) != COR_OK
        || cor_ckpt_add_text(ck, "config", cfg) != COR_OK
        || cor_ckpt_add_text(ck, "progress", progress) != COR_OK
        || cor_ckpt_add_f32(ck, "params", cor_nn_model_params(m), cor_nn_model_nparams(m))
               != COR_OK
        || cor_ckpt_add_f32(ck, "model_state", cor_nn_model_state(m), cor_nn_model_nstate(m))
               != COR_OK
        || cor_ckpt_add(ck, "stepper", stb, stlen) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "checkpoint");
    if (cor_ckpt_write(ck, path) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, NULL);
    cor_ckpt_free(ck);
    cor_free(stb);
    cor_free(cfg);
}

static uint64_t
kv_u64(const cor_ckpt *ck, const char *key)
{
    char buf[64], *end;
    unsigned long long v;

    if (cor_ckpt_get_kv(ck, "progress", key, buf, sizeof buf) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "--resume");
    errno = 0;
    v = strtoull(buf, &end, 10);
    if (errno || *end || !buf[0])
        cli_die(CLI_EXIT_IO, "--resume: progress %s='%s' is not a number", key, buf);
    return (uint64_t)v;
}

/* ---- the data ----------------------------------------------------------------------------- */

typedef struct
{
    cor_dataset *train, *test;
    const char *format;   /* canonical: idx, cifar10, imagenet */
    char path[4096];
} data_sets;

static void
load_data(data_sets *d, const char *spec, int image_size, int want_test)
{
    const char *colon = strchr(spec, ':');
    size_t flen = colon ? (size_t)(colon - spec) : strlen(spec);
    const char *dir = colon ? colon + 1 : NULL;
    char sub[4200];

    memset(d, 0, sizeof *d);
    if (flen == 13 && strncmp(spec, "fashion-mnist", 13) == 0)
    {
        d->format = "idx";
        dir = dir && *dir ? dir : FASHION_DIR;
    }
    else if ((flen == 3 && strncmp(spec, "idx", 3) == 0)
             || (flen == 5 && strncmp(spec, "mnist", 5) == 0))
        d->format = "idx";
    else if (flen == 7 && strncmp(spec, "cifar10", 7) == 0)
        d->format = "cifar10";
    else if (flen == 8 && strncmp(spec, "imagenet", 8) == 0)
        d->format = "imagenet";
    else
        cli_die(CLI_EXIT_USAGE, "--data: unknown format '%.*s' (idx, mnist, fashion-mnist, "
                "cifar10, imagenet)", (int)flen, spec);
    if (!dir || !*dir)
        cli_die(CLI_EXIT_USAGE, "--data %s: expected %.*s:DIR", spec, (int)flen, spec);
    snprintf(d->path, sizeof d->path, "%s", dir);
    if (strcmp(d->format, "idx") == 0)
    {
        d->train = cor_data_idx_load_dir(dir, 1);
        if (d->train && want_test)
            d->test = cor_data_idx_load_dir(dir, 0);
    }
    else if (strcmp(d->format, "cifar10") == 0)
    {
        d->train = cor_data_cifar10_load(dir, 1);
        if (d->train && want_test)
            d->test = cor_data_cifar10_load(dir, 0);
    }
    else
    {
        int side = image_size * 8 / 7; /* 224 -> 256 */

        snprintf(sub, sizeof sub, "%s/train", dir);
        d->train = cor_data_imagenet_open(sub, side);
        snprintf(sub, sizeof sub, "%s/val", dir);
        if (d->train && want_test)
            d->test = cor_data_imagenet_open(sub, side);
    }
    if (!d->train || (want_test && !d->test))
        cli_die_lib(cor_last_error()->code == COR_ENOMEM ? CLI_EXIT_IO : CLI_EXIT_IO, "--data");
}

/* Per-channel mean and standard deviation (on the [0,1] scale) of an in-memory set, in
 * double, sample by sample; ImageNet uses the usual published constants instead. */
static void
channel_stats(const cor_dataset *ds, const char *format, float *mean, float *std)
{
    static const float in_mean[3] = {0.485f, 0.456f, 0.406f}, in_std[3] = {0.229f, 0.224f, 0.225f};
    cor_data_image img = {0};
    double s[3] = {0}, s2[3] = {0}, count = 0;
    int c = 0;

    if (strcmp(format, "imagenet") == 0)
    {
        memcpy(mean, in_mean, sizeof in_mean);
        memcpy(std, in_std, sizeof in_std);
        return;
    }
    for (size_t i = 0; i < cor_data_count(ds); i++)
    {
        size_t plane;

        if (cor_data_fetch(ds, i, &img, NULL) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, NULL);
        c = img.c;
        plane = (size_t)img.h * (size_t)img.w;
        for (int ch = 0; ch < c; ch++)
            for (size_t p = 0; p < plane; p++)
            {
                double v = img.pix[ch * plane + p] / 255.0;
                s[ch] += v;
                s2[ch] += v * v;
            }
        count += (double)plane;
    }
    cor_data_image_release(&img);
    for (int ch = 0; ch < 3; ch++)
    {
        double mu = ch < c ? s[ch] / count : 0, var = ch < c ? s2[ch] / count - mu * mu : 1;

        mean[ch] = (float)mu;
        std[ch] = var > 1e-12 ? (float)sqrt(var) : 1.0f;
    }
}

/* ---- the log ---------------------------------------------------------------------------------- */

typedef struct
{
    FILE *f;
    char *partial;
    const char *final;
} train_log;

/* Keeps the preamble, header and the rows with step <= upto of an existing partial log. */
static int
truncate_log(const char *path, uint64_t upto)
{
    FILE *f = fopen(path, "r");
    char *tmp, line[8192];
    FILE *out;
    size_t len = strlen(path) + 8;

    if (!f)
        return 0;
    if (!(tmp = cor_malloc(len)))
        cli_die_lib(CLI_EXIT_IO, NULL);
    snprintf(tmp, len, "%s.cut", path);
    if (!(out = fopen(tmp, "w")))
        cli_die(CLI_EXIT_IO, "%s: cannot write: %s", tmp, strerror(errno));
    while (fgets(line, sizeof line, f))
    {
        const char *tab = strchr(line, '\t');
        int keep = 1;

        if (!strchr(line, '\n'))
            break; /* a line cut by the kill */
        if (line[0] != '#' && tab && strncmp(line, "kind\t", 5) != 0)
            keep = strtoull(tab + 1, NULL, 10) <= upto;
        if (keep)
            fputs(line, out);
    }
    fclose(f);
    if (fclose(out) != 0 || rename(tmp, path) != 0)
        cli_die(CLI_EXIT_IO, "%s: cannot rewrite: %s", path, strerror(errno));
    cor_free(tmp);
    return 1;
}

static void
log_open(train_log *lg, const train_opts *o, uint64_t resume_step, int argc, char **argv)
{
    size_t len;
    int append = 0;

    memset(lg, 0, sizeof *lg);
    if (!o->log)
        return;
    len = strlen(o->log) + 16;
    if (!(lg->partial = cor_malloc(len)))
        cli_die_lib(CLI_EXIT_IO, NULL);
    snprintf(lg->partial, len, "%s.partial", o->log);
    lg->final = o->log;
    if (o->resume)
        append = truncate_log(lg->partial, resume_step);
    if (!(lg->f = fopen(lg->partial, append ? "a" : "w")))
        cli_die(CLI_EXIT_IO, "--log %s: cannot write: %s", lg->partial, strerror(errno));
    if (!append)
    {
        fprintf(lg->f, "# program=corridor\n# version=%s\n# subcommand=train\n"
                "# command=corridor train", cor_version());
        for (int i = 1; i < argc; i++)
            fprintf(lg->f, " %s", argv[i]);
        fputc('\n', lg->f);
        for (int i = 0; i < S_COUNT; i++)
            if (o->set[i].value)
                fprintf(lg->f, "# %s=%s\n", o->set[i].key, o->set[i].value);
        fprintf(lg->f, "kind\tstep\tepoch\tloss\taccuracy\tlr\tgrad_norm\thg_norm\tsharpness\n");
    }
    else
    {
        fprintf(lg->f, "# resumed=%s at step %llu\n", o->resume, (unsigned long long)resume_step);
    }
}

static void
log_row(train_log *lg, const char *kind, uint64_t step, uint64_t epoch, double loss, double acc,
        double lr, double gn, double hg, double sharp)
{
    if (!lg->f)
        return;
    fprintf(lg->f, "%s\t%llu\t%llu\t%.17g\t%.17g\t%.9g\t%.9g\t%.9g\t%.9g\n", kind,
            (unsigned long long)step, (unsigned long long)epoch, loss, acc, lr, gn, hg, sharp);
    if (fflush(lg->f) != 0 || ferror(lg->f))
        cli_die(CLI_EXIT_IO, "--log %s: write error: %s", lg->partial, strerror(errno));
}

static void
log_close(train_log *lg)
{
    if (!lg->f)
        return;
    if (fclose(lg->f) != 0 || rename(lg->partial, lg->final) != 0)
        cli_die(CLI_EXIT_IO, "--log %s: cannot finish: %s", lg->final, strerror(errno));
    cor_free(lg->partial);
    lg->f = NULL;
}

/* ---- progress bar ---------------------------------------------------------------------------- */

static double
now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void
progress(int tty, double *last, double t0, uint64_t step, uint64_t total, uint64_t epoch,
         double loss, int final)
{
    double t = now_s();
    int width = 30, fill;

    if (!tty || (!final && t - *last < 0.2))
        return;
    *last = t;
    fill = total ? (int)((double)width * (double)step / (double)total) : 0;
    fprintf(stderr, "\r[%.*s%*s] step %llu/%llu epoch %llu loss %.4g %.1f steps/s", fill,
            "##############################", width - fill, "", (unsigned long long)step,
            (unsigned long long)total, (unsigned long long)epoch, loss,
            t > t0 ? (double)step / (t - t0) : 0.0);
    if (final)
        fputc('\n', stderr);
    fflush(stderr);
}

/* ---- evaluation ------------------------------------------------------------------------------ */

static void
evaluate(cor_nn_model *m, cor_data_loader *L, double *loss, double *acc)
{
    size_t nb = cor_data_loader_batches(L), count = 0, hits = 0;
    double sum = 0;

    if (cor_data_loader_seek(L, 0, 0) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "evaluation");
    for (size_t b = 0; b < nb; b++)
    {
        cor_data_batch B;
        double l = 0;
        int nc = 0, st;

        if (cor_data_loader_next(L, &B) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "test data");
        st = cor_nn_model_forward_backward(m, &l, &nc, B.x, B.y, B.n, 0);
        if (cor_status_is_error(st))
            cli_die_lib(CLI_EXIT_IO, "evaluation");
        sum += l * B.n;
        hits += (size_t)nc;
        count += (size_t)B.n;
    }
    *loss = count ? sum / (double)count : NAN;
    *acc = count ? (double)hits / (double)count : NAN;
}

/* ---- main ---------------------------------------------------------------------------------- */

static void
set_param(cor_step *s, const char *name, const char *value, const char *opt)
{
    if (cor_step_set_param(s, name, value) != COR_OK)
        cli_die(CLI_EXIT_USAGE, "%s: %s", opt, cor_last_error()->msg);
}

static double
sc_d(const cor_scalar *s)
{
    return s ? cor_scalar_get_d(s) : NAN;
}

int cor_cmd_train(int argc, char **argv);

int
cor_cmd_train(int argc, char **argv)
{
    train_opts o;
    static char stored[S_COUNT][1024];
    cor_ckpt *ck = NULL;
    data_sets d;
    cor_data_aug aug, plain;
    cor_data_loader *trainL, *testL = NULL;
    cor_nn_model *m;
    cor_objective *obj;
    const cor_vspace *V;
    const cor_step_type *T;
    cor_step *s;
    cor_vec *x, *hg = NULL;
    cor_scalar *h = NULL, *hgn = NULL, *lam = NULL;
    cor_spectral *sw = NULL;
    float *state_copy = NULL;
    train_log lg;
    position pos = {0, 0, 0};
    uint64_t total, seed;
    size_t nb;
    long batch, image_size;
    int c, hh, ww, nclass, diverged = 0, tty = isatty(2);
    double last_loss = NAN, test_loss = NAN, test_acc = NAN, wd, t0, tlast = 0;
    const char *method, *evalkind;
    size_t holdout;
    cor_table *t;

    parse_options(&o, argc, argv);
    if (o.resume)
    {
        if (!(ck = cor_ckpt_read(o.resume)))
            cli_die_lib(CLI_EXIT_IO, "--resume");
        merge_config(&o, ck, stored);
        pos.step = kv_u64(ck, "step");
        pos.epoch = kv_u64(ck, "epoch");
        pos.batch = kv_u64(ck, "batch");
    }
    if (!sval(&o, S_MODEL, NULL))
        cli_die(CLI_EXIT_USAGE, "missing --model NAME (see 'corridor train --help')");
    if (!sval(&o, S_DATA, NULL))
        cli_die(CLI_EXIT_USAGE, "missing --data FORMAT:PATH (see 'corridor train --help')");
    if (!sval(&o, S_METHOD, NULL))
        cli_die(CLI_EXIT_USAGE, "missing --method NAME (see 'corridor train --help')");
    if (!o.epochs && !o.steps)
        cli_die(CLI_EXIT_USAGE, "missing --epochs E or --steps N (see 'corridor train --help')");
    method = sval(&o, S_METHOD, NULL);
    T = cor_step_type_lookup(strcmp(method, "sgd") == 0 ? "gd" : method);
    if (!T || T == &cor_step_rk)
        cli_die(CLI_EXIT_USAGE, "--method: unknown method '%s'", method);
    if (!(T->needs & COR_NEED_NO_LR) && !sval(&o, S_LR, NULL))
        cli_die(CLI_EXIT_USAGE, "--method %s needs --lr H", method);
    batch = cli_parse_positive("--batch", sval(&o, S_BATCH, "128"), 1L << 20);
    image_size = cli_parse_positive("--image-size", sval(&o, S_IMAGESIZE, "224"), 4096);
    {
        const char *sd = sval(&o, S_SEED, "0");
        char *end;
        errno = 0;
        seed = strtoull(sd, &end, 10);
        if (errno || *end || !*sd || *sd == '-')
            cli_die(CLI_EXIT_USAGE, "--seed: expected a nonnegative integer, got '%s'", sd);
    }
    {
        const char *w = sval(&o, S_WD, "0");
        char *end;
        wd = strtod(w, &end);
        if (*end || !*w || !(wd >= 0) || !isfinite(wd))
            cli_die(CLI_EXIT_USAGE, "--weight-decay: expected a number >= 0, got '%s'", w);
    }

    /* data */
    holdout = 0;
    if (sval(&o, S_HOLDOUT, NULL))
        holdout = (size_t)cli_parse_positive("--holdout", sval(&o, S_HOLDOUT, NULL), 1L << 40);
    load_data(&d, sval(&o, S_DATA, NULL), (int)image_size, !o.no_eval && !holdout);
    if (holdout)
    {
        /* the validation split: a fixed key, so that every --seed holds out the same samples */
        cor_dataset *tr, *va;

        if (holdout >= cor_data_count(d.train))
            cli_die(CLI_EXIT_USAGE, "--holdout %zu: the training set has only %zu samples",
                    holdout, cor_data_count(d.train));
        if (cor_data_holdout_split(&tr, &va, d.train, holdout, HOLDOUT_KEY) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "--holdout");
        cor_data_free(d.train);
        d.train = tr;
        if (o.no_eval)
            cor_data_free(va);
        else
            d.test = va;
    }
    evalkind = holdout ? "val" : "test";
    cor_data_aug_identity(&aug);
    channel_stats(d.train, d.format, aug.mean, aug.std);
    plain = aug;
    if (strcmp(d.format, "imagenet") == 0)
    {
        aug.resize = plain.resize = (int)(image_size * 8 / 7);
        aug.out_h = aug.out_w = plain.out_h = plain.out_w = (int)image_size;
    }
    if (strcmp(sval(&o, S_AUGMENT, strcmp(d.format, "idx") == 0 ? "off" : "on"), "on") == 0)
    {
        aug.random_crop = 1;
        aug.flip = 1;
        aug.pad = strcmp(d.format, "imagenet") == 0 ? 0 : 4;
    }
    trainL = cor_data_loader_alloc(d.train, &aug, (size_t)batch, seed,
                                   COR_DATA_SHUFFLE | COR_DATA_DROP_LAST);
    if (!trainL)
        cli_die_lib(CLI_EXIT_USAGE, "--data");
    nb = cor_data_loader_batches(trainL);
    if (nb == 0)
        cli_die(CLI_EXIT_USAGE, "--batch %ld is larger than the training set (%zu samples)",
                batch, cor_data_count(d.train));
    if (d.test && !(testL = cor_data_loader_alloc(d.test, &plain, (size_t)batch, seed, 0)))
        cli_die_lib(CLI_EXIT_USAGE, "--data (test set)");
    cor_data_loader_shape(trainL, &c, &hh, &ww);
    nclass = cor_data_nclass(d.train);
    if (d.test && cor_data_nclass(d.test) > nclass)
        nclass = cor_data_nclass(d.test);
    total = o.steps ? (uint64_t)o.steps : (uint64_t)o.epochs * nb;

    /* model, objective, stepper */
    if (!(m = cor_nn_model_alloc(sval(&o, S_MODEL, NULL), c, hh, ww, nclass, (int)batch)))
        cli_die_lib(cor_last_error()->code == COR_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_IO,
                    "--model");
    if (cor_nn_model_set_threads(m, o.threads ? (int)o.threads
                                              : (int)sysconf(_SC_NPROCESSORS_ONLN)) != COR_OK
        || cor_nn_model_set_deterministic(m, sval(&o, S_DETERMINISTIC, NULL) != NULL) != COR_OK
        || cor_nn_model_init(m, seed) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, "--model");
    if (!(obj = cor_nn_objective_alloc(m, wd)))
        cli_die_lib(CLI_EXIT_IO, "objective");
    V = cor_nn_objective_space(obj);
    if (!(x = cor_vec_wrap_f32(V, cor_nn_model_params(m))) || !(s = cor_step_alloc(T, V))
        || !(h = cor_scalar_alloc(V)))
        cli_die_lib(CLI_EXIT_IO, "stepper");
    if (sval(&o, S_LR, NULL) && cor_scalar_set_str(h, sval(&o, S_LR, NULL)) != COR_OK)
        cli_die(CLI_EXIT_USAGE, "--lr: '%s' is not a finite number", sval(&o, S_LR, NULL));
    if (sval(&o, S_BETA, NULL))
        set_param(s, strcmp(T->name, "adam") == 0 ? "beta1" : "beta", sval(&o, S_BETA, NULL),
                  "--beta");
    if (sval(&o, S_LSTAR, NULL))
        set_param(s, "lstar", sval(&o, S_LSTAR, NULL), "--lstar");
    if (sval(&o, S_LRMAX, NULL))
        set_param(s, "lr_max", sval(&o, S_LRMAX, NULL), "--lr-max");
    if (sval(&o, S_CLIP, NULL))
        set_param(s, "clip", "1", "--clip");
    if (sval(&o, S_BOUND, NULL))
        set_param(s, "bound", sval(&o, S_BOUND, NULL), "--bound");
    if (sval(&o, S_PARAMS, NULL))
    {
        char buf[1024], *save = NULL;

        snprintf(buf, sizeof buf, "%s", sval(&o, S_PARAMS, NULL));
        for (char *p = strtok_r(buf, ";", &save); p; p = strtok_r(NULL, ";", &save))
        {
            char *eq = strchr(p, '=');
            *eq = '\0';
            set_param(s, p, eq + 1, "--param");
        }
    }
    if (cor_step_prepare(s, obj) != COR_OK)
        cli_die_lib(CLI_EXIT_USAGE, "--method");
    if (o.log_hg && (!(hg = cor_vec_alloc(V)) || !(hgn = cor_scalar_alloc(V))
                     || !(state_copy = cor_mallocarray(cor_nn_model_nstate(m) + 1, sizeof(float)))))
        cli_die_lib(CLI_EXIT_IO, NULL);
    if (o.log_sharp)
    {
        /* Lanczos from the workspace's fixed pseudo-random start (seed 1), not from the last
         * eigenvector: each value is a function of (theta_k, batch) alone, so a resumed run
         * logs the same values as an uninterrupted one */
        if (!(sw = cor_spectral_alloc(V, (size_t)o.sharp_iters)) || !(lam = cor_scalar_alloc(V))
            || (!state_copy
                && !(state_copy = cor_mallocarray(cor_nn_model_nstate(m) + 1, sizeof(float)))))
            cli_die_lib(CLI_EXIT_IO, "--log-sharpness");
        if (cor_spectral_set_tol(sw, o.sharp_tol) != COR_OK)
            cli_die_lib(CLI_EXIT_USAGE, "--sharpness-tol");
    }

    /* resume */
    if (ck)
    {
        size_t len;
        const void *stb = cor_ckpt_get(ck, "stepper", &len);

        if (cor_ckpt_get_f32(ck, "params", cor_nn_model_params(m), cor_nn_model_nparams(m))
                != COR_OK
            || cor_ckpt_get_f32(ck, "model_state", cor_nn_model_state(m),
                                cor_nn_model_nstate(m)) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "--resume");
        if (!stb)
            cli_die(CLI_EXIT_IO, "--resume %s: no stepper section", o.resume);
        if (cor_step_state_load(s, stb, len) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "--resume");
        if (pos.batch >= nb)
            cli_die(CLI_EXIT_IO, "--resume %s: batch %llu of an epoch of %zu", o.resume,
                    (unsigned long long)pos.batch, nb);
        if (pos.step > total)
            cli_die(CLI_EXIT_USAGE, "--resume: the checkpoint is at step %llu, beyond the "
                    "%llu steps asked for", (unsigned long long)pos.step,
                    (unsigned long long)total);
        cor_ckpt_free(ck);
        ck = NULL;
    }
    if (cor_data_loader_seek(trainL, pos.epoch, (size_t)pos.batch) != COR_OK)
        cli_die_lib(CLI_EXIT_IO, NULL);
    log_open(&lg, &o, pos.step, argc, argv);

    /* the loop */
    t0 = now_s();
    while (pos.step < total)
    {
        cor_data_batch B;
        cor_step_info info;
        double acc = NAN, hgv = NAN, sharp = NAN, loss;
        int st;

        if (cor_data_loader_next(trainL, &B) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, "training data");
        if (cor_nn_objective_set_batch(obj, B.x, B.y, B.n) != COR_OK)
            cli_die_lib(CLI_EXIT_IO, NULL);
        if (o.train_acc)
        {
            int nc = 0;
            st = cor_nn_model_forward_backward(m, NULL, &nc, B.x, B.y, B.n, 0);
            if (cor_status_is_error(st))
                cli_die_lib(CLI_EXIT_IO, "--train-acc");
            acc = (double)nc / B.n;
        }
        if (o.log_hg && (pos.step + 1) % (uint64_t)o.log_hg == 0)
        {
            /* H grad L at theta_k; the train-mode passes would move the batch-norm running
             * statistics, so they are saved and restored around it */
            size_t ns = cor_nn_model_nstate(m);
            memcpy(state_copy, cor_nn_model_state(m), ns * sizeof(float));
            st = cor_objective_hg(obj, hg, x);
            if (cor_status_is_error(st))
                cli_die_lib(CLI_EXIT_IO, "--log-hg");
            if (st == COR_OK && cor_vec_nrm2(hgn, hg, V) == COR_OK)
                hgv = cor_scalar_get_d(hgn);
            memcpy(cor_nn_model_state(m), state_copy, ns * sizeof(float));
        }
        if (o.log_sharp && (pos.step + 1) % (uint64_t)o.log_sharp == 0)
        {
            /* the top eigenvalue of the batch Hessian at theta_k (the HVPs restore theta and
             * the batch-norm statistics themselves; the copy makes it independent of that) */
            size_t ns = cor_nn_model_nstate(m);
            memcpy(state_copy, cor_nn_model_state(m), ns * sizeof(float));
            st = cor_spectral_sharpness(sw, lam, NULL, obj, x, NULL, NULL);
            if (cor_status_is_error(st))
                cli_die_lib(CLI_EXIT_IO, "--log-sharpness");
            if (st == COR_OK || st == COR_MAXITER)
                sharp = cor_scalar_get_d(lam); /* MAXITER: the best estimate after K steps */
            memcpy(cor_nn_model_state(m), state_copy, ns * sizeof(float));
        }
        st = cor_step_apply(s, obj, x, h, &info);
        if (cor_status_is_error(st))
            cli_die_lib(CLI_EXIT_IO, "step");
        if (!o.train_acc)
        {
            int nc, n;
            if (cor_nn_objective_last_ncorrect(&nc, &n, obj) == COR_OK)
                acc = (double)nc / n;
        }
        pos.step++;
        pos.batch = B.index + 1;
        pos.epoch = B.epoch;
        if (pos.batch == nb)
            pos.batch = 0, pos.epoch++;
        loss = sc_d(info.loss);
        last_loss = loss;
        log_row(&lg, "train", pos.step, B.epoch, loss, acc, sc_d(info.lr), sc_d(info.grad_norm),
                hgv, sharp);
        progress(tty, &tlast, t0, pos.step, total, B.epoch, loss, 0);
        if (st == COR_NONFINITE || st == COR_DIVERGED || (info.loss && !isfinite(loss)))
        {
            diverged = 1;
            break;
        }
        if (pos.batch == 0 && testL)
        {
            evaluate(m, testL, &test_loss, &test_acc);
            log_row(&lg, evalkind, pos.step, B.epoch, test_loss, test_acc, NAN, NAN, NAN, NAN);
        }
        if (o.ckpt && ((o.ckpt_every && pos.step % (uint64_t)o.ckpt_every == 0) || pos.batch == 0))
            write_checkpoint(o.ckpt, &o, m, s, &pos);
        if (o.throttle_ms)
        {
            struct timespec ts = {o.throttle_ms / 1000, (o.throttle_ms % 1000) * 1000000L};
            nanosleep(&ts, NULL);
        }
    }
    progress(tty, &tlast, t0, pos.step, total, pos.epoch, last_loss, 1);
    if (o.ckpt)
        write_checkpoint(o.ckpt, &o, m, s, &pos);
    log_close(&lg);

    /* summary */
    t = cli_table_open(&o.c);
    cli_table_check(t, cor_table_meta(t, "model", sval(&o, S_MODEL, NULL)));
    cli_table_check(t, cor_table_meta(t, "data", sval(&o, S_DATA, NULL)));
    cli_table_check(t, cor_table_meta(t, "method", method));
    cli_table_check(t, cor_table_meta_printf(t, "seed", "%llu", (unsigned long long)seed));
    cli_table_check(t, cor_table_meta(t, "backend", cor_nn_model_backend(m)));
    {
        const char *names[] = {"name", "value"};
        char buf[64];
        uint32_t pcrc = cor_crc32(0, cor_nn_model_params(m),
                                  cor_nn_model_nparams(m) * sizeof(float));
        uint32_t scrc = cor_crc32(0, cor_nn_model_state(m),
                                  cor_nn_model_nstate(m) * sizeof(float));

        cli_table_check(t, cor_table_header(t, 2, names));
#define ROW_U(nm, v)                                                                            \
    do                                                                                          \
    {                                                                                           \
        cli_table_check(t, cor_table_cell_str(t, nm));                                          \
        cli_table_check(t, cor_table_cell_u64(t, v));                                           \
        cli_table_check(t, cor_table_row_end(t));                                               \
    } while (0)
#define ROW_D(nm, v)                                                                            \
    do                                                                                          \
    {                                                                                           \
        cli_table_check(t, cor_table_cell_str(t, nm));                                          \
        cli_table_check(t, cor_table_cell_d(t, v));                                             \
        cli_table_check(t, cor_table_row_end(t));                                               \
    } while (0)
        ROW_U("steps", pos.step);
        ROW_U("epochs_done", pos.epoch);
        ROW_U("nparams", cor_nn_model_nparams(m));
        ROW_D("train_loss", last_loss);
        ROW_D(holdout ? "val_loss" : "test_loss", test_loss);
        ROW_D(holdout ? "val_accuracy" : "test_accuracy", test_acc);
        snprintf(buf, sizeof buf, "%08x", pcrc);
        cli_table_check(t, cor_table_cell_str(t, "params_crc32"));
        cli_table_check(t, cor_table_cell_str(t, buf));
        cli_table_check(t, cor_table_row_end(t));
        snprintf(buf, sizeof buf, "%08x", scrc);
        cli_table_check(t, cor_table_cell_str(t, "state_crc32"));
        cli_table_check(t, cor_table_cell_str(t, buf));
        cli_table_check(t, cor_table_row_end(t));
        cli_table_check(t, cor_table_cell_str(t, "diverged"));
        cli_table_check(t, cor_table_cell_str(t, diverged ? "yes" : "no"));
        cli_table_check(t, cor_table_row_end(t));
#undef ROW_U
#undef ROW_D
    }
    cli_table_close(t);

    cor_data_loader_free(trainL);
    cor_data_loader_free(testL);
    cor_vec_free(hg);
    cor_scalar_free(hgn);
    cor_scalar_free(lam);
    cor_spectral_free(sw);
    cor_free(state_copy);
    cor_scalar_free(h);
    cor_step_free(s);
    cor_vec_free(x);
    cor_objective_free(obj);
    cor_nn_model_free(m);
    cor_data_free(d.train);
    cor_data_free(d.test);
    if (diverged)
    {
        cli_warn("the loss became non-finite at step %llu (epoch %llu)%s",
                 (unsigned long long)pos.step, (unsigned long long)pos.epoch,
                 o.ckpt ? "; a final checkpoint was written" : "");
        return cli_finish(CLI_EXIT_DIVERGED);
    }
    return cli_finish(CLI_EXIT_OK);
}

const cli_command cli_cmd_train = {"train", "train a float32 network with a lib/step stepper",
                                   cor_cmd_train};
