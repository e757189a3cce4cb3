"""PyTorch reference for one AdamW trajectory: test/fixtures/adamw/expected.json.

torch.optim.AdamW (torch 1.13, single-tensor path, float32) on three named parameters: a matrix in a
decayed group, a bias and a norm gain in a no-decay group (the project's rule: norms and biases are never
decayed). Four steps with fixed seeded gradients and a per-step learning rate
(a schedule). The TypeScript test (test/train/adam.test.ts) replays the same gradients through AdamW and
compares every parameter and moment after every step. No Python runs at test time.

    /usr/bin/python3 scripts/reference/make_adamw_reference.py
"""
import json
import torch

torch.manual_seed(20241201)
torch.set_num_threads(1)
shapes = {
    "model.layers.0.mlp.down_proj.weight": [6, 5],
    "model.layers.0.self_attn.q_proj.bias": [6],
    "model.layers.0.input_layernorm.weight": [5],
}
init = {n: (torch.randn(s) * 0.2 + (1.0 if n.endswith("norm.weight") else 0.0)).float() for n, s in shapes.items()}
# Gradients of mixed scales (one tiny, one large entry per tensor) so eps and the moments both matter.
grads = []
for step in range(4):
    g = {}
    for n, s in shapes.items():
        t = torch.randn(s).float() * 0.05
        flat = t.view(-1)
        flat[0] = 1e-9
        flat[-1] = 3.0 * (1 if step % 2 == 0 else -1)
        g[n] = t
    grads.append(g)
lrs = [1e-3, 2e-3, 1.5e-3, 1e-3]
hyper = {"beta1": 0.9, "beta2": 0.95, "eps": 1e-8, "weight_decay": 0.1}

params = {n: torch.nn.Parameter(init[n].clone()) for n in shapes}
decayed = [p for n, p in params.items() if not (n.endswith("norm.weight") or n.endswith(".bias"))]
plain = [p for n, p in params.items() if n.endswith("norm.weight") or n.endswith(".bias")]
opt = torch.optim.AdamW(
    [{"params": decayed, "weight_decay": hyper["weight_decay"]}, {"params": plain, "weight_decay": 0.0}],
    lr=lrs[0], betas=(hyper["beta1"], hyper["beta2"]), eps=hyper["eps"], foreach=False,
)
steps = []
for k, g in enumerate(grads):
    for group in opt.param_groups:
        group["lr"] = lrs[k]
    for n, p in params.items():
        p.grad = g[n].clone()
    opt.step()
    steps.append({
        n: {
            "param": params[n].detach().view(-1).tolist(),
            "m": opt.state[params[n]]["exp_avg"].view(-1).tolist(),
            "v": opt.state[params[n]]["exp_avg_sq"].view(-1).tolist(),
        }
        for n in shapes
    })

out = {
    "torch": torch.__version__,
    "hyper": hyper,
    "lrs": lrs,
    "shapes": shapes,
    "init": {n: init[n].view(-1).tolist() for n in shapes},
    "grads": [{n: g[n].view(-1).tolist() for n in shapes} for g in grads],
    "steps": steps,
}
with open("test/fixtures/adamw/expected.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print("wrote test/fixtures/adamw/expected.json")
