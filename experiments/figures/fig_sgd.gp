# fig_sgd.gp -- one SGD epoch (case (vi), m = 4) against flows at T = 4h: the mean over all
# 24 batch orders against the SGD modified flow (order 3), one fixed order against it (order
# 2), the mean against plain GF (order 2); left the distances (log-log), right the local
# slopes. Reads only exp_sgd's table resdir/sgd_epoch.tsv (rows of setting "vi").
# Usage: gnuplot -e "resdir='results'; out='doc/figures/fig_sgd.png'" fig_sgd.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "fig_sgd.png"
data = resdir . "/sgd_epoch.tsv"

set terminal pngcairo size 1300,560 enhanced font "sans,11"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2 title "One SGD epoch vs the SGD modified flow L + h/(4m) {/Symbol S}_k |{/Symbol \321}L_k|^2 (case (vi))"
set logscale xy
set format x "10^{%L}"
set format y "10^{%L}"
set xlabel "step size h"
set ylabel "distance at T = 4h"
set key left top
set grid
vi(c) = strcol(1) eq "vi" ? column(c) : NaN
plot data using 2:(vi(3)) w lp pt 7 lc 1 t "E[{/Symbol q}_4] (24 orders) vs modified flow", \
     data using 2:(vi(4)) w lp pt 5 lc 2 t "order (1,2,3,4) vs modified flow", \
     data using 2:(vi(5)) w lp pt 9 lc 3 t "E[{/Symbol q}_4] vs GF"
unset logscale y
set format y "%g"
set ylabel "local slope log_2(d(h)/d(h/2))"
set yrange [1:3.5]
set key right center
plot data using 2:(vi(9)) w lp pt 7 lc 1 t "mean vs modified flow (-> 3)", \
     data using 2:(vi(10)) w lp pt 5 lc 2 t "fixed order vs modified flow (-> 2)", \
     data using 2:(vi(11)) w lp pt 9 lc 3 t "mean vs GF (-> 2)"
unset multiplot
