# fig_paper_hg.gp -- Figure 7 analogue: the batch loss and |H grad L| (with |grad L| for scale)
# along the CLR trajectory of the ResNet at the main batch size, at the steps where
# corridor train logged |H grad L| (--log-hg). Lines: mean over seeds; bands: min to max.
# Reads only the table written by exp_train_summary (columns step epoch loss_{mean,min,max}
# hg_norm_{mean,min,max} grad_norm_{mean,min,max} nseeds).
# Usage: gnuplot -e "in='results/paper_fig7.tsv'; out='fig7.png'; ttl='...'" fig_paper_hg.gp
if (!exists("in")) in = "results/paper_fig7.tsv"
if (!exists("out")) out = "paper_fig7.png"
if (!exists("dir")) dir = ""
load dir . "fig_paper_common.gp"

set terminal pngcairo size 1400,560 enhanced font "sans,12"
set output out
set multiplot layout 1,2 title ttl font "sans,14"
set xlabel "step"
set logscale y
set format y "10^{%T}"
set key top right
set ylabel "batch loss L"
plot in using "step":"loss_min":"loss_max" with filledcurves fs transparent solid 0.2 noborder \
         lc rgb "#000000" notitle, \
     in using "step":"loss_mean" with lines lw 2 lc rgb "#000000" title "L (CLR)"
set ylabel "norm"
plot in using "step":"hg_norm_min":"hg_norm_max" with filledcurves fs transparent solid 0.2 \
         noborder lc rgb "#d62728" notitle, \
     in using "step":"hg_norm_mean" with lines lw 2 lc rgb "#d62728" title "|H {/Symbol \321}L|", \
     in using "step":"grad_norm_min":"grad_norm_max" with filledcurves fs transparent solid 0.15 \
         noborder lc rgb "#1f77b4" notitle, \
     in using "step":"grad_norm_mean" with lines lw 1.5 dt 2 lc rgb "#1f77b4" title "|{/Symbol \321}L|"
unset multiplot
