# the corridor driver: corridor.c dispatches to one file per subcommand (corridor_<name>.c,
# listed in the table of corridor.c); cli.{c,h} hold what the subcommands share.
bin_PROGRAMS += corridor
corridor_SOURCES = corridor.c cli.c cli.h corridor_probe.c corridor_flow.c corridor_run.c \
	corridor_train.c
