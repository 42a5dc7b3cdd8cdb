# the corridor driver
