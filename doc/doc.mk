check_PROGRAMS += examples/hg_rosenbrock
TESTS += examples/hg_rosenbrock
examples_hg_rosenbrock_SOURCES = examples/hg_rosenbrock.c
EXTRA_DIST += expressions.md derivations/reverse_mode.md derivations/corridor_criterion.md
EXTRA_DIST += figure1.md proofs/thm2_11.md
EXTRA_DIST += cli.md
EXTRA_DIST += losses.md vspace.md
EXTRA_DIST += steppers.md
EXTRA_DIST += paper_figures.md paper_fig2.md paper_fig3.md paper_fig4.md paper_fig5.md \
	paper_fig6.md paper_fig7.md paper_fig8.md paper_fig9.md
