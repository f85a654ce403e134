"""Runs training steps of a generated module with segc_train's own step, for the parity test.

Usage: train_step.py DIR MODULE WEIGHTS BATCH_DIR CONFIG_JSON OUT_WEIGHTS
Prints the task loss of each step as JSON; writes the weights after the last step.
"""
import importlib.util
import json
import os
import sys

import numpy as np
import torch

directory, module_name, weights, batch_dir, config_text, out_weights = sys.argv[1:7]
sys.path.insert(0, directory)
import segc_torch  # noqa: E402
import segc_train  # noqa: E402

spec = importlib.util.spec_from_file_location("model", os.path.join(directory, module_name))
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
config = json.loads(config_text)
torch.use_deterministic_algorithms(True)
model = module.MODEL()
segc_torch.load_weights(model, weights)
batch = {"images": torch.from_numpy(np.load(os.path.join(batch_dir, "images.npy")))}
if os.path.exists(os.path.join(batch_dir, "masks.npy")):
    batch["masks"] = torch.from_numpy(np.load(os.path.join(batch_dir, "masks.npy"))).long()
if os.path.exists(os.path.join(batch_dir, "labels.npy")):
    batch["labels"] = torch.from_numpy(np.load(os.path.join(batch_dir, "labels.npy"))).long()
if os.path.exists(os.path.join(batch_dir, "targets.npy")):
    batch["targets"] = torch.from_numpy(np.load(os.path.join(batch_dir, "targets.npy")))
if os.path.exists(os.path.join(batch_dir, "image_targets.npy")):
    batch["imageLevel"] = tuple(torch.from_numpy(np.load(os.path.join(batch_dir, f"{name}.npy"))) for name in ("image_targets", "image_weights", "class_mask"))
optimizer = segc_train.make_optimizer(model.parameters(), config["optimizer"], config["lr"])
losses = []
for step in range(config["steps"]):
    loss, _ = segc_train.training_step(model, config["task"], optimizer, batch, config["lr"], config["weightDecay"])
    losses.append(float(loss))
segc_torch.save_weights(model, out_weights)
print(json.dumps(losses))
