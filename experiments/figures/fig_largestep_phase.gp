# fig_largestep_phase.gp -- the phase transition of GD on scalar linear networks (P13, case
# (vii)). Left: the last 64 gradient norms of GD on 1/2(ab-1)^2 against h (a bifurcation
# diagram), with the exact 2-cycle (Newton), the law sqrt(2(h-1)) and P13's reference values.
# Right: the largest gradient norm of the last 128 steps against h/h* for depth 2, 3, 4.
# Reads only resdir/largestep_bif.tsv, largestep_onset.tsv and largestep_phase.tsv.
# Usage: gnuplot -e "resdir='results'; out='doc/figures/largestep_phase.png'" fig_largestep_phase.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "largestep_phase.png"
bif = resdir . "/largestep_bif.tsv"
ons = resdir . "/largestep_onset.tsv"
ph = resdir . "/largestep_phase.tsv"
set terminal pngcairo size 1400,600 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2
set title "1/2(ab-1)^2: asymptotic |{/Symbol \321}L| along GD (h^* = 1)"
set xlabel "step size h"
set ylabel "|{/Symbol \321}L| over the last 64 steps"
set xrange [0.5:1.6]
set yrange [0:1.3]
set key top left Left reverse
set grid
set arrow from 1,0 to 1,1.3 nohead dt 2 lc rgb "#555555"
set arrow from 1.2360679775,0 to 1.2360679775,1.3 nohead dt 2 lc rgb "#555555"
set label "h^* = 1" at 1.01,0.9
set label "{/Symbol \326}5 - 1" at 1.245,0.9
plot bif using ($1 == 2 ? $2 : NaN):6 with points pt 7 ps 0.12 lc rgb "#1f4e9c" title "GD iterates (last 64)", \
     ons using (strcol(1) eq "grid" && $2 == 2 ? $3 : NaN):4 with lines lw 2 lc rgb "#c0141e" title "2-cycle (Newton, MPFR)", \
     ons using (strcol(1) eq "grid" && $2 == 2 ? $3 : NaN):5 with lines lw 2 dt 2 lc rgb "#2a9d3a" title "{/Symbol \326}(2(h-1))", \
     ons using (strcol(1) eq "p13" ? $3 : NaN):7 with points pt 6 ps 1.5 lw 2 lc rgb "black" title "P13 reference values"
unset arrow
unset label
set title "max |{/Symbol \321}L|, last 128 of 20128 GD steps (< 10^{-17} drawn at 10^{-17})"
set xlabel "h / h^*   (h^* = 2/N)"
set ylabel "max |{/Symbol \321}L| over the last 128 steps"
set logscale y
set format y "10^{%L}"
set xrange [0.5:1.6]
set yrange [1e-17:10]
set key bottom right
plot for [N=2:4] ph using ($1 == N ? $3 : NaN):($6 > 1e-17 ? $6 : 1e-17) with linespoints pt 7 ps 0.4 title sprintf("depth N = %d", N)
unset multiplot
