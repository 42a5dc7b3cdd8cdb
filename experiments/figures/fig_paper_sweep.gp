# fig_paper_sweep.gp -- Figures 2, 5, 6, 8 analogues: CLR against SGD with constant learning
# rates. Left: training loss (mean of the batch losses of each epoch) against steps, log scale;
# right: test accuracy after each epoch. Lines: mean over seeds; bands: min to max over seeds.
# Reads only the table written by exp_train_summary (columns curve epoch step
# train_loss_{mean,min,max} test_acc_{mean,min,max} nseeds; `# curves=` and `# target_loss=`
# in its preamble).
# Usage: gnuplot -e "in='results/paper_fig2.tsv'; out='fig2.png'; ttl='...'" fig_paper_sweep.gp
if (!exists("in")) in = "results/paper_fig2.tsv"
if (!exists("out")) out = "paper_fig2.png"
if (!exists("dir")) dir = ""
load dir . "fig_paper_common.gp"

set terminal pngcairo size 1400,560 enhanced font "sans,12"
set output out
set multiplot layout 1,2 title ttl font "sans,14"

set xlabel "step"
set ylabel "training loss (epoch mean)"
set logscale y
set format y "10^{%T}"
# a diverged run's losses leave the plot at the top (its label says so)
set yrange [*:1e2]
set key top right
plot for [i=1:nc] in using "step":(sel(i) ? column("train_loss_min") : NaN):"train_loss_max" \
         with filledcurves fs transparent solid 0.18 noborder lc rgb hue(i) notitle, \
     for [i=1:nc] in using "step":(sel(i) ? column("train_loss_mean") : NaN) \
         with linespoints pt 7 ps 0.4 lw lwid(i) lc rgb hue(i) title label(i), \
     target with lines dt 2 lw 1.5 lc rgb "#777777" title sprintf("target %g", target)

unset logscale y
set autoscale y
set format y "%g"
set ylabel "test accuracy"
set key bottom right
plot for [i=1:nc] in using "step":(sel(i) ? column("test_acc_min") : NaN):"test_acc_max" \
         with filledcurves fs transparent solid 0.18 noborder lc rgb hue(i) notitle, \
     for [i=1:nc] in using "step":(sel(i) ? column("test_acc_mean") : NaN) \
         with linespoints pt 7 ps 0.4 lw lwid(i) lc rgb hue(i) title label(i)
unset multiplot
