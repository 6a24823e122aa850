"""nbgrader configuration for the derivatives course. Values only; defaults live in nbgrader."""
from nbconvert.preprocessors import ClearMetadataPreprocessor
from nbgrader.preprocessors import AssignLatePenalties, CheckCellMetadata, ClearOutput, SaveAutoGrades

from autograder.nbgrader_plugin import RestoreFromMaster, TrustedExecute

c = get_config()  # noqa: F821  (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "dl-derivatives"
c.CourseDirectory.root = "."

# Trusted grading (see docs/trusted-grading.md): the submission is rebuilt against the master,
# its code runs in a sandbox, and the hidden tests are judged in nbgrader's own process.
c.Autograde.sanitize_preprocessors = [ClearOutput, RestoreFromMaster, CheckCellMetadata]
c.Autograde.autograde_preprocessors = [
    TrustedExecute, ClearMetadataPreprocessor, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata,
]
