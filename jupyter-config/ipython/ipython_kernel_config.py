# labkit's kernel set-up, installed with labkit into the environment's etc/ipython/ (pyproject's
# data-files; `make lab` copies it into .venv), where IPython reads it at each kernel start: a
# lesson cell run before the lesson's start cell then says in one line to run that cell first,
# instead of NameError's traceback (labkit/kernel.py).
c = get_config()  # noqa: F821 (IPython provides it to a config file)
c.InteractiveShellApp.extensions.append("labkit.kernel")
