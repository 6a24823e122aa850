"""What students and instructors read, rebuilt from the gradebook and the feedback records after every run.

records.py        what a student is told about each function, as data stored in the graded notebook
text.py           those results as text for the notebook's hidden-test cells
pages.py          one HTML page per student; gradescope.py: Gradescope's results.json
class_report.py   the instructor's view of a whole class
outputs.py        every output of a course, rebuilt after every run
score_table.py    the score table for the terminal and results.csv; instructor_text.py: student text made safe there
sanitize.py       student markup made inert in the HTML nbconvert renders for nbgrader
"""
