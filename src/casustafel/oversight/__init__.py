"""The lawfulness advisory committee (rechtmatigheidsadviescommissie) of Wet PGA art. 15."""
