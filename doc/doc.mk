check_PROGRAMS += examples/hg_rosenbrock
TESTS += examples/hg_rosenbrock
examples_hg_rosenbrock_SOURCES = examples/hg_rosenbrock.c
EXTRA_DIST += expressions.md derivations/reverse_mode.md derivations/corridor_criterion.md
EXTRA_DIST += figure1.md proofs/thm2_11.md proofs/prop2_10.md proofs/appC_quadratics.md
EXTRA_DIST += proofs/remA_2.md proofs/thm3_1_rates.md proofs/run_cases_ref.py
EXTRA_DIST += cli.md
EXTRA_DIST += losses.md vspace.md
EXTRA_DIST += steppers.md
EXTRA_DIST += drift.md
EXTRA_DIST += large_steps.md natural_gradient.md
EXTRA_DIST += train.md
EXTRA_DIST += nn.md
EXTRA_DIST += flow.md
EXTRA_DIST += eval_speed.md
EXTRA_DIST += paper_figures.md paper_fig2.md paper_fig3.md paper_fig4.md paper_fig5.md \
	paper_fig6.md paper_fig7.md paper_fig8.md paper_fig9.md
