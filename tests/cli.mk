# command-line tests (owned by the corridor driver)
