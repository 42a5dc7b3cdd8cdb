# fig_corridorness.gp -- |Hg|/|g|^2 (top) and kappa = |Hg|/(|H||g|) (bottom) along gd,
# heavyball, clr and sgd paths on a corridor, a near-corridor and a non-corridor loss (the
# small-scale analogue of Figure 7 of Dherin & Rosca 2024). Reads only
# resdir/corridorness.tsv (exp_corridorness). Exact zeros and values below 1e-42 are drawn at
# 1e-42 (log axis).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/corridorness.png'" fig_corridorness.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "corridorness.png"
f = resdir . "/corridorness.tsv"
set terminal pngcairo size 1500,900 enhanced font "sans,11"
set output out
set datafile separator "\t"
set datafile commentschars "#"
losses = "corridor near_corridor non_corridor"
titles = "'corridor: mean of w_k|{/Symbol q}|' 'near corridor: w_k({/Symbol q}^2+0.01)^{1/2}' 'non-corridor: least squares, case (vi)'"
methods = "gd heavyball clr sgd"
fl(v) = (v > 1e-42 ? v : 1e-42)
set multiplot layout 2,3
set logscale y
set format y "10^{%L}"
set grid
set xlabel "step k"
set key top right font ",10"
do for [i=1:3] {
    set title word(titles, i)
    set ylabel "|Hg| / |g|^2"
    if (i == 1) { set yrange [1e-42:1e3]; set key top right } else { set yrange [1e-3:1e12]; unset key }
    plot for [m=1:4] f using (strcol(1) eq word(losses,i) && strcol(2) eq word(methods,m) ? $3 : NaN):(fl($7)) \
         with linespoints pt 7 ps 0.4 lw 1.5 title word(methods,m)
}
do for [i=1:3] {
    set title word(titles, i)
    set ylabel "{/Symbol k} = |Hg| / (|H| |g|)"
    if (i == 1) { set yrange [1e-42:1e3]; set key top right } else { set yrange [1e-6:5]; unset key }
    if (i == 2) { set key bottom right }
    if (i == 2) {
        plot for [m=1:4] f using (strcol(1) eq word(losses,i) && strcol(2) eq word(methods,m) ? $3 : NaN):(fl($10)) \
             with linespoints pt 7 ps 0.4 lw 1.5 title word(methods,m), \
             f using (strcol(1) eq word(losses,i) ? $3 : NaN):11 with points pt 6 ps 1.2 lc rgb "black" title "{/Symbol e}^2/(|{/Symbol q}|^2+{/Symbol e}^2)"
    } else {
        plot for [m=1:4] f using (strcol(1) eq word(losses,i) && strcol(2) eq word(methods,m) ? $3 : NaN):(fl($10)) \
             with linespoints pt 7 ps 0.4 lw 1.5 title word(methods,m)
    }
}
unset multiplot
