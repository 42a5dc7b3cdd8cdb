# fig_fig1a.gp -- Figure 1a: a corridor (the cone L = |theta|) with straight lines of
# steepest descent. Reads only the tables written by exp_fig1:
#   resdir/fig1a_surface.tsv (x y loss), resdir/fig1a_lines.tsv (line t x y loss ...).
# Usage: gnuplot -e "resdir='results'; out='doc/figures/fig1a.png'" fig_fig1a.gp
if (!exists("resdir")) resdir = "results"
if (!exists("out")) out = "fig1a.png"
surface = resdir . "/fig1a_surface.tsv"
lines = resdir . "/fig1a_lines.tsv"

set terminal pngcairo size 1000,800 enhanced font "sans,12"
set output out
set datafile separator "\t"
set datafile commentschars "#"
set key off
set title "Fig. 1a: a corridor (the cone L = |{/Symbol q}|) and straight lines of steepest descent"
set xlabel "x"
set ylabel "y"
set zlabel "L" rotate by 0
set xrange [-2:2]
set yrange [-2:2]
set zrange [0:2.9]
set xyplane 0
set view 58, 32, 1, 1.05
set pm3d depthorder border lc rgb "#6a6a6a" lw 0.4
unset colorbox
set palette defined (0 "#2b3a67", 1 "#5c8db8", 2 "#b8d8e8", 3 "#f2e3c6", 4 "#e8b07a")
set cbrange [0:2.9]

# Layer 1: the surface. Layer 2 (same projection): the lifted lines and their projections on
# the parameter plane, drawn on top so that the surface does not hide them.
set multiplot
splot surface using 1:2:3 with pm3d
unset title
unset border
unset xtics
unset ytics
unset ztics
unset xlabel
unset ylabel
unset zlabel
splot lines using 3:4:5 with lines lw 3 lc rgb "#c0141e", \
      lines using 3:4:(0) with lines lw 1.5 dt 2 lc rgb "#c0141e"
unset multiplot
