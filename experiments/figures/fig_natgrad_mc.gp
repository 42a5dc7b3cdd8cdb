# fig_natgrad_mc.gp -- natural-gradient flow vs gradient flow on 3x3 matrix completion (P15).
# Left: max over observed entries of |W - (M + e^-t (W0 - M))|. Right: completion error on the
# unobserved entries from a small start. Reads only resdir/natgrad_mc.tsv (exp_natgrad).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/natgrad_mc.png'" fig_natgrad_mc.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "natgrad_mc.png"
f = resdir . "/natgrad_mc.tsv"
set terminal pngcairo size 1400,600 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2
set title "observed entries vs the law M + e^{-t}(W_0 - M)"
set xlabel "t"
set ylabel "max_{observed} |W(t) - law(t)|"
set logscale y
set format y "10^{%L}"
set yrange [1e-18:10]
set key bottom right
set grid
plot f using (strcol(1) eq "ngf_all" && $2 == 0.01 ? $3 : NaN):($14 > 1e-18 ? $14 : 1e-18) with lines lw 2 title "NGF, all-output metric (rk4 h=0.01)", \
     f using (strcol(1) eq "ngf_obs" ? $3 : NaN):($14 > 1e-18 ? $14 : 1e-18) with lines lw 2 title "NGF, observed-only metric", \
     f using (strcol(1) eq "gf" ? $3 : NaN):14 with lines lw 2 title "GF", \
     f using (strcol(1) eq "ngd_all" ? $3 : NaN):14 with linespoints pt 7 ps 0.5 title "NGD (all), step 0.1", \
     f using (strcol(1) eq "gd" ? $3 : NaN):14 with linespoints pt 7 ps 0.5 title "GD, step 0.1"
set title "unobserved entries: completion error |W - M| from a start of scale 0.05"
set ylabel "max_{unobserved} |W(t) - M|"
set yrange [1e-3:10]
set key center right
plot f using (strcol(1) eq "gf_small" ? $3 : NaN):16 with lines lw 2 title "GF (completes the rank-1 M)", \
     f using (strcol(1) eq "ngf_all_small" ? $3 : NaN):16 with lines lw 2 title "NGF, all outputs (frozen)", \
     f using (strcol(1) eq "ngf_obs_small" ? $3 : NaN):16 with lines lw 2 title "NGF, observed only"
unset multiplot
