"""Training Jukebox priors and VQ-VAEs on your own sounds, with OpenAI's recipe (train.py): its losses, its Adam,
its learning-rate schedule and EMA, on the transformers modules the host serves."""
