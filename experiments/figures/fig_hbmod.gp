# fig_hbmod.gp -- heavy ball (beta = 1/2, zero initial velocity) on case (ii) against its
# modified flow from the shifted start (order 2), from theta0 (order 1), and against the
# 1/(1-beta)-scaled GF from the shifted start and from theta0 (order 1), at T = 1/2; left the
# errors (log-log), right the ratios |err|/h^2 and |err|/h (limits about 121 and 2.146, P7).
# Reads only exp_hbmod's table resdir/hbmod.tsv.
# Usage: gnuplot -e "resdir='results'; out='doc/figures/fig_hbmod.png'" fig_hbmod.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "fig_hbmod.png"
data = resdir . "/hbmod.tsv"

set terminal pngcairo size 1300,560 enhanced font "sans,11"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2 title "Heavy ball vs its modified flow (P7): the shifted start gives O(h^2)"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "step size h"
set ylabel "|{/Symbol q}_N - flow(T)|"
set key left top
set grid
plot data using 1:3 w lp pt 7 lc 1 t "modified flow, shifted start", \
     data using 1:4 w lp pt 5 lc 2 t "modified flow from {/Symbol q}_0", \
     data using 1:5 w lp pt 9 lc 3 t "scaled GF, shifted start", \
     data using 1:6 w lp pt 11 lc 4 t "scaled GF from {/Symbol q}_0"
unset logscale y
set format y "%g"
set ylabel "|err|/h^2 (shifted)"
set y2label "|err|/h (unshifted)"
set ytics nomirror
set y2tics
set key right bottom
plot data using 1:7 axes x1y1 w lp pt 7 lc 1 t "shifted: |err|/h^2", \
     data using 1:8 axes x1y2 w lp pt 5 lc 2 t "unshifted: |err|/h"
unset multiplot
