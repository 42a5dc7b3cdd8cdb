# fig_natgrad_dln.gp -- left: deep linear networks 1/2|W_N..W_1 - T|^2, distance of the
# end-to-end W(t) from T + e^-t (W0 - T) under NGF and GF, depths 1-3 (natgrad_dln.tsv).
# Right: drift of U^T U - V^T V along GF (rk4, two steps) and GD (natgrad_conservation.tsv).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/natgrad_dln.png'" fig_natgrad_dln.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "natgrad_dln.png"
f = resdir . "/natgrad_dln.tsv"
c = resdir . "/natgrad_conservation.tsv"
set terminal pngcairo size 1400,600 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set multiplot layout 1,2
set title "deep linear nets: |W(t) - (T + e^{-t}(W_0 - T))|"
set xlabel "t"
set ylabel "max_{ij} deviation"
set logscale y
set format y "10^{%L}"
set yrange [1e-17:10]
set key bottom right
set grid
plot for [N=1:3] f using ($1 == N && strcol(2) eq "ngf" ? $3 : NaN):($5 > 1e-17 ? $5 : 1e-17) with lines lw 2 title sprintf("NGF, depth %d", N), \
     for [N=1:3] f using ($1 == N && strcol(2) eq "gf" ? $3 : NaN):($5 > 1e-17 ? $5 : 1e-17) with lines lw 2 dt 2 title sprintf("GF, depth %d", N)
set title "P14: drift of U^TU - V^TV (3x3, rank 2, all entries observed)"
set ylabel "max_{ab} |Q_{ab}(t) - Q_{ab}(0)|"
set yrange [1e-9:1]
set key center right
plot c using (strcol(1) eq "all" && strcol(2) eq "gf_rk4" && $3 == 0.02 ? $4 : NaN):5 with linespoints pt 7 ps 0.6 lw 2 title "GF by rk4, h = 0.02", \
     c using (strcol(1) eq "all" && strcol(2) eq "gf_rk4" && $3 == 0.01 ? $4 : NaN):5 with linespoints pt 7 ps 0.6 lw 2 title "GF by rk4, h = 0.01", \
     c using (strcol(1) eq "all" && strcol(2) eq "gd" ? $4 : NaN):5 with linespoints pt 7 ps 0.6 lw 2 title "GD, h = 0.01"
unset multiplot
