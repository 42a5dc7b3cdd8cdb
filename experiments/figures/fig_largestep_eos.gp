# fig_largestep_eos.gp -- sharpness (top Hessian eigenvalue, Lanczos) along GD on the deep
# linear network 1/2|W3 W2 W1 - diag(2,1)|^2 for several step sizes h, with the stability
# edge 2/h (dashed). Reads only resdir/largestep_eos.tsv (h k loss sharpness two_over_h ...).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/largestep_eos.png'" fig_largestep_eos.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "largestep_eos.png"
f = resdir . "/largestep_eos.tsv"
set terminal pngcairo size 1400,600 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
hs = "0.1 0.2 0.25 0.26 0.27 0.3 0.35"
set multiplot layout 1,2
set xrange [0:1500]
set title "sharpness along GD (solid) and the edge 2/h (dashed)"
set xlabel "step k"
set ylabel "sharpness {/Symbol l}_{max}(H)"
set yrange [0:22]
set key top right
set grid
plot for [i=1:words(hs)] f using 2:(strcol(1) eq word(hs,i) ? $4 : NaN) with lines lw 2 lc i title "h = ".word(hs,i), \
     for [i=1:words(hs)] f using 2:(strcol(1) eq word(hs,i) ? $5 : NaN) with lines dt 2 lw 1 lc i notitle
set title "loss along GD (h^* = 2/(3*2^{4/3}) = 0.2646)"
set ylabel "loss"
set logscale y
set format y "10^{%L}"
set yrange [1e-32:10]
set key center right
plot for [i=1:words(hs)] f using 2:(strcol(1) eq word(hs,i) ? $3 : NaN) with lines lw 2 lc i title "h = ".word(hs,i)
unset multiplot
