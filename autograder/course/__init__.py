"""A course as nbgrader keeps it, and grading all of it.

folder.py         the course directory as nbgrader sees it: release, export, the master's grade ids
intake.py         a submitted file looked at before anything runs it (links.py: only the student's own file)
nbgrader_path.py  one student at a time through `nbgrader autograde` and the trusted preprocessors
batch.py          `autograder grade`: the whole assignment in parallel (workers.py: local or on Dask)
gradebook.py      one student's grades written into nbgrader's gradebook in one transaction
outcomes.py       what became of each student's last grading; lock.py: one grading per course at a time
"""
