"""What the notebooks show: figures, widgets, verdict lines and panels.

This layer sits on top of the maths layer (the modules directly in
:mod:`softmax`, which need numpy alone) and may use matplotlib and ipywidgets;
nothing below it imports it (an import-linter contract in ``make lint`` checks).

- :mod:`~softmax.display.checks`: the ✓/✗ verdict lines beside every equation;
- :mod:`~softmax.display.plots`, :mod:`~softmax.display.widgets`: notebooks 01-04;
- :mod:`~softmax.display.compare`: notebook 05's measurements, figures and panel;
- :mod:`~softmax.display.training_plots`, :mod:`~softmax.display.training_widget`:
  notebook 06;
- :mod:`~softmax.display.describe`: each figure's text description, shown as the
  image's alternative text (importing this package inside IPython registers the
  formatter that does it, so ``plt.show()`` is enough);
- :mod:`~softmax.display._style`: the shared palette, sizes and redraw lock.

Import the submodules you need, e.g. ``from softmax.display import plots``.
"""

from .describe import register_formatter

register_formatter()
