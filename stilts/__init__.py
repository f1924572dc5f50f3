"""stilts: three-phase (X-)STILTs training and zero-shot XTREME-R evaluation."""
import logging as _logging


class _NotMistral(_logging.Filter):
    """transformers 4.57.3-4.x warns that every local tokenizer saved by those versions has 'an incorrect
    regex pattern' unless `fix_mistral_regex` is passed; the check concerns Mistral tokenizers only, never the
    XLM-R / BERT tokenizers this project saves, so the warning is dropped instead of alarming users."""

    def filter(self, record: _logging.LogRecord) -> bool:
        return "fix_mistral_regex" not in record.getMessage()


_logging.getLogger("transformers.tokenization_utils_base").addFilter(_NotMistral())
