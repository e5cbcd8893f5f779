"""The judge: sandboxed compile-and-run of submissions, verdicts, languages."""
