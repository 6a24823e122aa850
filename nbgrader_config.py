"""nbgrader configuration for the derivatives course. Values only; defaults live in nbgrader."""

from nbconvert.preprocessors import ClearMetadataPreprocessor, CSSHTMLHeaderPreprocessor
from nbgrader.preprocessors import (
    AssignLatePenalties,
    CheckCellMetadata,
    ClearHiddenTests,
    ClearMarkScheme,
    ClearOutput,
    ClearSolutions,
    ComputeChecksums,
    GetGrades,
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    SaveCells,
)

from autograder.nbgrader_plugin import (
    CleanMarkdown2HTML,
    FormulaAnswerStubs,
    RestoreFromMaster,
    SaveGradesFlaggingFormulas,
    TrustedExecute,
    clean_html,
    record_unreadable,
)

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "dl-derivatives"
c.CourseDirectory.root = "."
# exercises.py (the entries, solutions included) and copies of it stay with the instructor; nbgrader's own list
# otherwise. `autograder release` also refuses any released file that holds a line of a solution.
c.CourseDirectory.ignore = [
    ".ipynb_checkpoints",
    "*.pyc",
    "__pycache__",
    "feedback",
    "exercises*.py",
    "*.py~",
    "*.bak",
    ".*.swp",
]

# nbgrader's own list, with formula answers left as `answer_… = r""` instead of `raise NotImplementedError()`.
c.GenerateAssignment.preprocessors = [
    IncludeHeaderFooter,
    InstantiateTests,
    LockCells,
    ClearSolutions,
    FormulaAnswerStubs,
    ClearOutput,
    CheckCellMetadata,
    ComputeChecksums,
    SaveCells,
    ClearHiddenTests,
    ClearMarkScheme,
    ComputeChecksums,
    CheckCellMetadata,
]

# Trusted grading (see docs/trusted-grading.md): the submission is rebuilt against the master,
# its code runs in a sandbox, and the hidden tests are judged in nbgrader's own process.
c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreFromMaster, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [
    TrustedExecute,
    ClearMetadataPreprocessor,
    SaveGradesFlaggingFormulas,
    AssignLatePenalties,
    CheckCellMetadata,
]
# A notebook nbgrader cannot read (not JSON, oversized) still gets a 0 row; the reason goes to logs/ungradable.log.
c.Autograde.pre_convert_hook = record_unreadable

# Feedback never shows hidden tests: nbgrader's own ClearHiddenTests runs before the HTML is made
# (by default nbgrader shows them; jupyter/nbgrader#917).
c.GenerateFeedback.preprocessors = [GetGrades, ClearHiddenTests, CSSHTMLHeaderPreprocessor]

# Nothing a student writes runs script in nbgrader's HTML: the feedback page and formgrader's view of a
# submission both render through HTMLExporter. sanitize_html cleans outputs and raw cells and drops JavaScript
# outputs; nbgrader's templates never clean markdown cells, so markdown2html itself cleans
# (autograder/feedback/sanitize.py).
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {"markdown2html": CleanMarkdown2HTML, "clean_html": clean_html}
