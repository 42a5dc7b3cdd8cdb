# fig_largestep_quad.gp -- GD on 0.5(x^2 + 10y^2) across the stability threshold h = 2/lambda_max
# (P12). Reads only resdir/largestep_quad_trace.tsv (h k x_abs y_abs) written by exp_largestep.
# Usage: gnuplot -e "resdir='results'; out='doc/figures/largestep_quad.png'" fig_largestep_quad.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "largestep_quad.png"
f = resdir . "/largestep_quad_trace.tsv"
set terminal pngcairo size 900,600 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set title "P12: GD on 0.5(x^2+10y^2) from (1,1): |y_k| = |1-10h|^k, threshold h = 2/{/Symbol l}_{max} = 0.2"
set xlabel "step k"
set ylabel "|y_k|"
set logscale y
set format y "10^{%L}"
set yrange [1e-12:1e4]
set xrange [0:50]
set key top left
set grid
plot for [hv in "0.15 0.19 0.2 0.21 0.25"] \
     f using 2:(strcol(1) eq hv ? $4 : NaN) with linespoints pt 7 ps 0.5 lw 2 title "h = ".hv
