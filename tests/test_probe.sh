#!/bin/sh
# test_probe.sh -- `corridor probe` on the cases of PREDICTIONS.md P1 and P11:
#   the cone sqrt(x^2+y^2+z^2) at (3,-1,2): a corridor, H grad L = 0 up to rounding, and
#     clr_step = L/|grad L|^2 = sqrt(14) to every printed digit (256 and 1024 bits; double);
#   0.5*(x^2+10*y^2) at (1,1): H grad L = (1,100), |H grad L| = sqrt(10001), clr_step = 11/202;
#   0.5*(1-x)^2+5*(y-x^2)^2 at (-1.2,1): H grad L = (-120703/125, -8756/25);
# then every --format parses (json with python3's json module), -o writes the same table
# atomically, --digits, a one-variable loss without --vars, a point given by constant
# expressions, a non-finite point (exit 3), --help and --version.
# Environment: top_srcdir and top_builddir (exported by tests/Makefile.am); CORRIDOR overrides
# the program to run. Needs python3 for the number checks (skipped, status 77, without it).
set -u

: "${top_srcdir:=..}"
: "${top_builddir:=..}"
CORRIDOR=${CORRIDOR:-$top_builddir/experiments/corridor}
if [ ! -x "$CORRIDOR" ]; then
    echo "test_probe: $CORRIDOR not built" >&2
    exit 99
fi
if ! command -v python3 >/dev/null 2>&1; then
    echo "test_probe: python3 not found, skipped" >&2
    exit 77
fi

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_probe.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT INT TERM
SOURCE_DATE_EPOCH=0
export SOURCE_DATE_EPOCH
failed=0

fail() {
    echo "FAIL: $*"
    failed=$((failed + 1))
}

# run NAME STATUS ARGS...: runs corridor ARGS, output in $tmp/NAME.out and .err, and checks
# the exit status.
run() {
    name=$1
    want=$2
    shift 2
    "$CORRIDOR" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" </dev/null
    rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$name: exit status $rc, expected $want: corridor $*"
        sed 's/^/      stderr: /' "$tmp/$name.err"
    else
        echo "ok: $name: corridor $*"
    fi
}

CONE='sqrt(x^2+y^2+z^2)'
run cone 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2
run cone1024 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2 --prec 1024
run conedouble 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2 --double
run conedigits 0 probe -l "$CONE" --vars x,y,z --at 3,-1,2 --digits 10
run coneexpr 0 probe --loss "$CONE" --vars x,y,z --at 'sqrt(2),-1/3,pi'
run quad 0 probe --loss '0.5*(x^2+10*y^2)' --vars x,y --at 1,1
run rosen 0 probe --loss '0.5*(1-x)^2+5*(y-x^2)^2' --vars x,y --at -1.2,1
run onevar 0 probe --loss 'x^2' --at 3
run apex 3 probe --loss "$CONE" --vars x,y,z --at 0,0,0
for f in tsv csv md json; do
    run "fmt_$f" 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2 --format "$f"
done
run file 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2 -o "$tmp/cone.tsv"
run filejson 0 probe --loss "$CONE" --vars x,y,z --at 3,-1,2 --format json --output "$tmp/c.json"
run help 0 --help
run probehelp 0 probe --help
run helpprobe 0 help probe
run version 0 --version

# stderr is empty for every successful run, one line for the non-finite one
for f in "$tmp"/*.err; do
    case $f in
        */apex.err) [ "$(wc -l <"$f" | tr -d ' ')" = 1 ] || fail "apex: expected one stderr line" ;;
        *) [ -s "$f" ] && fail "$(basename "$f" .err): unexpected stderr: $(cat "$f")" ;;
    esac
done
# -o: nothing on stdout, the file holds what stdout would, and no temporary is left
[ -s "$tmp/file.out" ] && fail "file: -o also wrote to stdout"
[ -s "$tmp/filejson.out" ] && fail "filejson: --output also wrote to stdout"
cmp -s "$tmp/cone.tsv" "$tmp/fmt_tsv.out" || {
    # the command line in the preamble differs; compare everything else
    grep -v '^# command=' "$tmp/cone.tsv" >"$tmp/a"
    grep -v '^# command=' "$tmp/fmt_tsv.out" >"$tmp/b"
    cmp -s "$tmp/a" "$tmp/b" || fail "file: -o FILE differs from the table on stdout"
}
for f in "$tmp"/*.tmp.*; do
    [ -e "$f" ] && fail "file: a temporary file was left behind: $f"
done
grep -q '^Usage: corridor SUBCOMMAND' "$tmp/help.out" || fail "help: no usage line"
grep -q 'probe' "$tmp/help.out" || fail "help: probe not listed"
grep -q '^Usage: corridor probe' "$tmp/probehelp.out" || fail "probe --help: no usage line"
cmp -s "$tmp/probehelp.out" "$tmp/helpprobe.out" || fail "help probe differs from probe --help"
grep -Eq '^corridor [0-9]+\.[0-9]+\.[0-9]+$' "$tmp/version.out" ||
    fail "version: $(cat "$tmp/version.out")"

python3 - "$tmp" <<'PYEOF' || failed=$((failed + 1))
import csv, io, json, sys
from decimal import Decimal, Context, ROUND_HALF_EVEN, getcontext

getcontext().prec = 400
tmp = sys.argv[1]
bad = []


def check(cond, what):
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        bad.append(what)


def read_tsv(name):
    meta, rows = {}, {}
    with open(f"{tmp}/{name}.out") as f:
        lines = f.read().splitlines()
    body = [l for l in lines if not l.startswith("# ")]
    for l in lines:
        if l.startswith("# "):
            k, _, v = l[2:].partition("=")
            meta[k] = v
    assert body and body[0] == "name\tvalue", f"{name}: header {body[:1]}"
    for l in body[1:]:
        k, v = l.split("\t")
        rows[k] = v
    return meta, rows


def sig_round(x, d):
    return Context(prec=d, rounding=ROUND_HALF_EVEN).plus(x)


def digits_equal(printed, exact, d, name):
    """printed is exact correctly rounded to d significant digits (all printed digits right)"""
    want = sig_round(exact, d)
    check(Decimal(printed) == want, f"{name} = {printed} equals the exact value to {d} digits")


def close(printed, exact, d, units, name):
    """printed is within `units` units of its d-th significant digit of exact"""
    unit = Decimal(10) ** (exact.adjusted() - d + 1)
    err = abs(Decimal(printed) - exact)
    check(err <= units * unit, f"{name} = {printed} within {units} units in digit {d} "
          f"(error {err / unit:.3g} units)")


sqrt14 = Decimal(14).sqrt()

# the cone at (3,-1,2), 256 bits
meta, r = read_tsv("cone")
d = int(meta["digits"])
check(d == 76, "cone: default digits 76 at 256 bits")
check(meta["prec"] == "256" and meta["backend"] == "mpfr", "cone: prec 256, mpfr")
check(meta["corridor_threshold"] == "2^(-prec+16)*scale", "cone: threshold rule in the preamble")
check(meta["date"] == "1970-01-01T00:00:00Z", "cone: date from SOURCE_DATE_EPOCH")
check(meta["command"].startswith("corridor probe --loss 'sqrt(x^2+y^2+z^2)'"), "cone: command")
check(r["corridor"] == "yes", "cone: corridor yes")
digits_equal(r["clr_step"], sqrt14, d, "cone: clr_step")
digits_equal(r["loss"], sqrt14, d, "cone: loss")
check(len(r["clr_step"].replace(".", "")) == d, "cone: clr_step printed with 76 digits")
for i, c in enumerate((3, -1, 2), 1):
    close(r[f"grad_{i}"], c / sqrt14, d, 2, f"cone: grad_{i}")
    check(abs(Decimal(r[f"hg_{i}"])) < Decimal("1e-70"), f"cone: hg_{i} = {r[f'hg_{i}']} ~ 0")
check(Decimal(r["hg_rel"]) <= Decimal(2) ** -240, "cone: hg_rel <= 2^-240")
check(r["critical"] == "no", "cone: not a critical point")
close(r["grad_norm"], Decimal(1), d, 2, "cone: grad_norm")
check(list(r) == ["loss", "grad_1", "grad_2", "grad_3", "hg_1", "hg_2", "hg_3", "hg_norm",
                  "grad_norm", "clr_step", "hg_rel", "corridor", "critical"], "cone: row names and order")

meta, r = read_tsv("cone1024")
d = int(meta["digits"])
check(d == 307, "cone1024: default digits 307")
digits_equal(r["clr_step"], sqrt14, d, "cone1024: clr_step")
check(r["corridor"] == "yes", "cone1024: corridor yes")

meta, r = read_tsv("conedouble")
check(meta["backend"] == "double" and meta["prec"] == "53", "conedouble: backend double, prec 53")
check(abs(Decimal(r["clr_step"]) - sqrt14) < Decimal("1e-15"), "conedouble: clr_step ~ sqrt(14)")
check(r["corridor"] == "yes", "conedouble: corridor yes")

meta, r = read_tsv("conedigits")
check(r["clr_step"] == "3.741657387", "conedigits: clr_step to 10 digits")

meta, r = read_tsv("coneexpr")
pi = Decimal("3.14159265358979323846264338327950288419716939937510582097494459230781640628620899"
             "8628034825342117067982148086513282306647093844609550582231725359408128481117450284")
exact = (Decimal(2) + Decimal(1) / 9 + pi * pi).sqrt()
digits_equal(r["loss"], exact, int(meta["digits"]), "coneexpr: loss at (sqrt(2),-1/3,pi)")
check(r["corridor"] == "yes", "coneexpr: corridor yes")

# P1: 0.5*(x^2+10*y^2) at (1,1)
meta, r = read_tsv("quad")
d = int(meta["digits"])
check(r["loss"] == "5.5" and r["grad_1"] == "1" and r["grad_2"] == "10", "quad: loss, grad")
check(r["hg_1"] == "1" and r["hg_2"] == "100", "quad: hg = (1, 100)")
digits_equal(r["hg_norm"], Decimal(10001).sqrt(), d, "quad: hg_norm = sqrt(10001)")
check(r["hg_norm"].startswith("100.004999875006249609402341699"), "quad: hg_norm (PREDICTIONS)")
digits_equal(r["clr_step"], Decimal(11) / 202, d, "quad: clr_step = 11/202 (P11)")
check(r["corridor"] == "no", "quad: corridor no")

# P1: 0.5*(1-x)^2+5*(y-x^2)^2 at (-1.2,1)
meta, r = read_tsv("rosen")
d = int(meta["digits"])
hg = (Decimal(-120703) / 125, Decimal(-8756) / 25)
close(r["hg_1"], hg[0], d, 20, "rosen: hg_1 = -120703/125")
close(r["hg_2"], hg[1], d, 20, "rosen: hg_2 = -8756/25")
close(r["hg_norm"], (hg[0] ** 2 + hg[1] ** 2).sqrt(), d, 20, "rosen: hg_norm")
check(r["hg_norm"].startswith("1027.179520325439510268900768755561847204"),
      "rosen: hg_norm (PREDICTIONS)")
close(r["loss"], Decimal("3.388"), d, 20, "rosen: loss = 3.388")
check(r["corridor"] == "no", "rosen: corridor no")

# one variable, no --vars
meta, r = read_tsv("onevar")
check(meta["vars"] == "x", "onevar: vars inferred")
check((r["loss"], r["grad_1"], r["hg_1"], r["clr_step"]) == ("9", "6", "12", "0.25"),
      "onevar: x^2 at 3: 9, 6, 12, 0.25")

# the apex: not finite, verdict no, table still written
meta, r = read_tsv("apex")
check(r["corridor"] == "no" and r["grad_1"] == "nan", "apex: nan gradient, corridor no")

# formats: all give the same (name, value) pairs
_, ref = read_tsv("fmt_tsv")
with open(f"{tmp}/fmt_csv.out") as f:
    lines = [l for l in f if not l.startswith("#")]
rows = list(csv.reader(io.StringIO("".join(lines))))
check(rows[0] == ["name", "value"] and dict(rows[1:]) == ref, "csv parses to the same table")
with open(f"{tmp}/fmt_md.out") as f:
    text = f.read()
lines = text.splitlines()
table = [l for l in lines if l.startswith("|")]
comments = [l for l in lines if l.startswith("<!-- ")]
check(all(l.endswith(" -->") for l in comments) and len(comments) >= 5, "md: preamble comments")
check(table[0] == "| name | value |" and table[1] == "| --- | --- |", "md: header")
md = dict((c.strip() for c in l.strip("|").split("|")) for l in table[2:])
check(md == ref, "md parses to the same table")
for name in ("fmt_json.out", "c.json"):
    with open(f"{tmp}/{name}") as f:
        obj = json.load(f)
    check(set(obj) == {"meta", "columns", "rows"}, f"{name}: keys meta, columns, rows")
    check(obj["columns"] == ["name", "value"], f"{name}: columns")
    check(all(k in obj["meta"] for k in ("program", "version", "command", "date", "prec")),
          f"{name}: standard meta keys")
    check({row["name"]: row["value"] for row in obj["rows"]} == ref,
          f"{name}: json parses to the same table (MPFR values as strings)")

print(f"test_probe (python): {len(bad)} failed")
sys.exit(1 if bad else 0)
PYEOF

echo "test_probe: $failed failed"
[ "$failed" = 0 ]
