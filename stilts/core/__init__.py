"""The layer below advmine and stilts.train/eval: tasks and their kinds, errors, config checking, hub access,
outputs and markers, and the feature/collate/predict helpers that training and evaluation share."""
