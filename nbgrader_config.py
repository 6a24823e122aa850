"""nbgrader configuration for the derivatives course. Values only; defaults live in nbgrader."""
c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "dl-derivatives"
c.CourseDirectory.root = "."

# A student who deletes a test cell still faces it: the cell is put back and scored.
c.OverwriteCells.add_missing_cells = True
# A stuck cell is interrupted after 60 s; the rest of the notebook still runs.
c.Execute.timeout = 60
c.Execute.interrupt_on_timeout = True
