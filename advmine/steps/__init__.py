"""The build's steps, in pipeline order. Each class owns its config, its key inputs and its card section; the
embed step is placed by the build right before the first step that reads vectors. Named "module:attr", so
listing them imports no step (nor faiss, nor the selectors)."""
from __future__ import annotations

from stilts.core.registry import Entry, Registry

STEPS = Registry("build step")
for _entry in [
    Entry("load", "advmine.steps.load:LoadStep", doc="the English source task, sliced and sharded"),
    Entry("translate", "advmine.steps.translate:TranslateStep", doc="every row into every target language"),
    Entry("langid", "advmine.steps.langid:LangIdStep", doc="flag or drop rows not in their target language"),
    Entry("quality", "advmine.steps.quality:QualityStep",
          doc="chrF++/BLEU against human references, round trip, English kept; flag or drop rows below a floor"),
    Entry("perturb", "advmine.steps.perturb:PerturbStep", doc="perturbed copies of rows (--perturb)"),
    Entry("embed", "advmine.steps.embed:EmbedStep", doc="the sentence vectors the later steps compare"),
    Entry("select", "advmine.steps.select:SelectStep", doc="the hardest rows per language (--select)"),
    Entry("contamination", "advmine.steps.contamination:ContaminationStep",
          doc="flag or drop near-copies of evaluation examples"),
]:
    STEPS.add(_entry)
