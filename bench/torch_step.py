"""PyTorch baseline for bench/model.bench.ts, on the same machine: the issue's benchmark configuration
(LLaMA d_model 256, 4 layers, 4 heads, ffn 688, vocab 4096, untied; batch 8 x 128 tokens), float32.

    /usr/bin/python3 bench/torch_step.py        # Debian's python3-torch (apt-get install python3-torch)

Prints the median forward, forward+backward, and whole training step (forward+backward, global-norm clip
to 1, torch.optim.AdamW step with weight decay 0.1) time over 10 runs with 1 and with 2 threads.
"""
import statistics
import time

import torch
import torch.nn.functional as F

V, D, L, H, FF, B, T = 4096, 256, 4, 4, 688, 8, 128
HD = D // H


def params():
    g = torch.Generator().manual_seed(0)
    n = lambda *s: (torch.randn(*s, generator=g) * 0.02).requires_grad_()
    p = {"embed": n(V, D), "head": n(V, D), "norm": torch.ones(D, requires_grad=True)}
    for i in range(L):
        for k, s in [("q", (D, D)), ("k", (D, D)), ("v", (D, D)), ("o", (D, D)), ("gate", (FF, D)), ("up", (FF, D)), ("down", (D, FF))]:
            p[f"{i}.{k}"] = n(*s)
        p[f"{i}.n1"] = torch.ones(D, requires_grad=True)
        p[f"{i}.n2"] = torch.ones(D, requires_grad=True)
    return p


def rms(x, w):
    return w * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


inv = 1.0 / (10000 ** (torch.arange(0, HD, 2).float() / HD))
ang = torch.outer(torch.arange(T).float(), inv)
cos, sin = torch.cat([ang, ang], -1).cos(), torch.cat([ang, ang], -1).sin()
mask = torch.full((T, T), float("-inf")).triu(1)


def rope(x):
    x1, x2 = x[..., : HD // 2], x[..., HD // 2 :]
    return x * cos + torch.cat([-x2, x1], -1) * sin


def loss(p, ids):
    h = p["embed"][ids]
    for i in range(L):
        a = rms(h, p[f"{i}.n1"])
        q, k, v = [(a @ p[f"{i}.{n}"].T).view(B, T, H, HD).transpose(1, 2) for n in "qkv"]
        att = torch.softmax(rope(q) @ rope(k).transpose(-1, -2) / HD**0.5 + mask, -1) @ v
        h = h + att.transpose(1, 2).reshape(B, T, D) @ p[f"{i}.o"].T
        m = rms(h, p[f"{i}.n2"])
        h = h + (F.silu(m @ p[f"{i}.gate"].T) * (m @ p[f"{i}.up"].T)) @ p[f"{i}.down"].T
    logits = rms(h, p["norm"]) @ p["head"].T
    return F.cross_entropy(logits[:, :-1].reshape(-1, V), ids[:, 1:].reshape(-1))


def median_time(fn, runs=10):
    fn()
    ts = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts)


p = params()
ids = torch.randint(0, V, (B, T), generator=torch.Generator().manual_seed(1))
for threads in (1, 2):
    torch.set_num_threads(threads)
    with torch.no_grad():
        fwd = median_time(lambda: loss(p, ids))
    step = median_time(lambda: torch.autograd.grad(loss(p, ids), list(p.values())))
    opt = torch.optim.AdamW(list(p.values()), lr=1e-4, weight_decay=0.1)

    def train_step():
        opt.zero_grad()
        loss(p, ids).backward()
        torch.nn.utils.clip_grad_norm_(list(p.values()), 1.0)
        opt.step()

    train = median_time(train_step)
    print(f"torch {torch.__version__} threads={threads}: forward {fwd * 1000:.1f} ms ({B * T / fwd:.0f} tokens/s), "
          f"forward+backward {step * 1000:.1f} ms ({B * T / step:.0f} tokens/s), "
          f"training step {train * 1000:.1f} ms ({B * T / train:.0f} tokens/s)")
