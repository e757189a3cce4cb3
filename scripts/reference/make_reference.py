#!/usr/bin/python3
"""Independent float64 PyTorch reference for HF LlamaForCausalLM / MistralForCausalLM / Qwen2ForCausalLM /
Qwen3ForCausalLM / Gemma2ForCausalLM / Gemma3ForCausalLM (gemma3_text) / Phi3ForCausalLM / Olmo2ForCausalLM.

Writes tiny seeded checkpoints (config.json + safetensors) and the values the TypeScript tests are
pinned against (expected.json) into test/fixtures/reference/<case>/.

Run from the repository root with Debian's PyTorch:

    /usr/bin/python3 scripts/reference/make_reference.py

Nothing here imports `transformers` or `safetensors`: the model is re-implemented from HF's modeling
semantics, and the safetensors reader/writer are a few lines below. The reference computation runs on
the weights *read back from the written files*, upcast to float64, so it also checks the writer.
Rerunning produces byte-identical files (the script checks this itself with --check-determinism).
"""

import json
import math
import os
import struct
import sys

import numpy as np
import torch

torch.set_num_threads(1)  # fixed summation order -> byte-identical output on rerun
torch.set_default_dtype(torch.float64)

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", ".."))
OUT_ROOT = os.path.join(REPO_ROOT, "test", "fixtures", "reference")

# Shared tiny sizes. vocab, hidden, intermediate all differ so a transposed weight fails loudly.
VOCAB = 32
HIDDEN = 16
FFN = 20
LAYERS = 2
HEADS = 4
BATCH = 2
SEQ = 8

# Significant digits written for every array value in expected.json (scalars are written in full).
# 9 digits = relative rounding error <= 5e-10: more than float32 can resolve (~6e-8) and five orders of
# magnitude below the 1e-4 tolerance of the TypeScript tests, while keeping the fixtures < 2 MB in all.
DIGITS = 9

TOLERANCE_NOTE = (
    "Computed in float64 from the stored weights (F32, or BF16 for llama-bf16) upcast to float64; "
    "array values rounded to %d significant digits (finer than float32 resolves), the loss at full "
    "precision. Exact math to ~1e-12 relative before rounding; a float32 implementation should match "
    "logits within ~1e-5 relative (tests use 1e-4), loss and gradients similar. "
    "RoPE inv_freq/cos/sin are computed in float64 here (HF computes them in float32)." % DIGITS
)


# ----------------------------------------------------------------------------------------------------
# safetensors: minimal writer and reader
# ----------------------------------------------------------------------------------------------------

def f32_to_bf16_bits(a):
    """float32 ndarray -> uint16 bf16 bit patterns, round-to-nearest-even (no NaN/Inf in our data)."""
    bits = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32).astype(np.uint64)
    rounding_bias = ((bits >> np.uint64(16)) & np.uint64(1)) + np.uint64(0x7FFF)
    return ((bits + rounding_bias) >> np.uint64(16)).astype(np.uint16)


def bf16_bits_to_f32(b):
    return (b.astype(np.uint32) << np.uint32(16)).view(np.float32)


def tensor_bytes(arr_f32, dtype):
    if dtype == "F32":
        return np.ascontiguousarray(arr_f32, dtype="<f4").tobytes()
    if dtype == "BF16":
        return f32_to_bf16_bits(arr_f32).astype("<u2").tobytes()
    raise ValueError(dtype)


def write_safetensors(path, tensors, dtype):
    """tensors: list of (name, float32 ndarray). Header keys and data in the given order."""
    header = {"__metadata__": {"format": "pt"}}
    blobs = []
    offset = 0
    for name, arr in tensors:
        data = tensor_bytes(arr, dtype)
        header[name] = {"dtype": dtype, "shape": list(arr.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    hjson = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hjson += b" " * ((-len(hjson)) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(hjson)))
        f.write(hjson)
        for b in blobs:
            f.write(b)
    return offset  # bytes of tensor data


def read_safetensors(path):
    """-> dict name -> float64 torch tensor (F32 and BF16 only)."""
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        buf = raw[base + b : base + e]
        if info["dtype"] == "F32":
            a = np.frombuffer(buf, dtype="<f4")
        elif info["dtype"] == "BF16":
            a = bf16_bits_to_f32(np.frombuffer(buf, dtype="<u2"))
        else:
            raise ValueError(info["dtype"])
        assert a.size == int(np.prod(info["shape"]))
        out[name] = torch.from_numpy(a.astype(np.float64).reshape(info["shape"]))
    return out


def read_checkpoint(case_dir):
    idx = os.path.join(case_dir, "model.safetensors.index.json")
    if os.path.exists(idx):
        with open(idx) as f:
            index = json.load(f)
        out = {}
        for shard in sorted(set(index["weight_map"].values())):
            part = read_safetensors(os.path.join(case_dir, shard))
            for k in part:
                assert index["weight_map"][k] == shard
            out.update(part)
        assert set(out) == set(index["weight_map"])
        return out
    return read_safetensors(os.path.join(case_dir, "model.safetensors"))


# ----------------------------------------------------------------------------------------------------
# configs and weights
# ----------------------------------------------------------------------------------------------------

ARCH = {"llama": "LlamaForCausalLM", "mistral": "MistralForCausalLM", "qwen2": "Qwen2ForCausalLM",
        "qwen3": "Qwen3ForCausalLM", "gemma2": "Gemma2ForCausalLM", "gemma3_text": "Gemma3ForCausalLM",
        "phi3": "Phi3ForCausalLM", "olmo2": "Olmo2ForCausalLM"}


def make_config(model_type, torch_dtype="float32", **over):
    c = {
        "architectures": [ARCH[model_type]],
        "model_type": model_type,
        "vocab_size": VOCAB,
        "hidden_size": HIDDEN,
        "intermediate_size": FFN,
        "num_hidden_layers": LAYERS,
        "num_attention_heads": HEADS,
        "num_key_value_heads": HEADS,
        "hidden_act": "silu",
        "max_position_embeddings": 256,
        "initializer_range": 0.02,
        "rms_norm_eps": 1e-5,
        "rope_theta": 10000.0,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "use_cache": True,
        "torch_dtype": torch_dtype,
    }
    if model_type == "llama":
        c.update({"attention_bias": False, "attention_dropout": 0.0, "mlp_bias": False, "pretraining_tp": 1})
    elif model_type == "mistral":
        c.update({"attention_dropout": 0.0, "sliding_window": 4096})
    elif model_type == "qwen2":
        c.update({"attention_dropout": 0.0, "use_sliding_window": False, "sliding_window": 32768,
                  "max_window_layers": LAYERS})
    elif model_type == "qwen3":
        c.update({"attention_bias": False, "attention_dropout": 0.0, "use_sliding_window": False,
                  "sliding_window": None, "max_window_layers": LAYERS, "head_dim": HIDDEN // HEADS})
    elif model_type in ("gemma2", "gemma3_text"):
        del c["hidden_act"]
        c.update({"hidden_activation": "gelu_pytorch_tanh", "attention_bias": False, "attention_dropout": 0.0,
                  "head_dim": HIDDEN // HEADS, "query_pre_attn_scalar": HIDDEN // HEADS, "tie_word_embeddings": True,
                  "rms_norm_eps": 1e-6, "bos_token_id": 2, "eos_token_id": 1})
        if model_type == "gemma2":
            c.update({"sliding_window": 4096, "attn_logit_softcapping": 50.0, "final_logit_softcapping": 30.0})
        else:
            c.update({"sliding_window": 4096, "sliding_window_pattern": 6, "rope_local_base_freq": 10000.0,
                      "attn_logit_softcapping": None, "final_logit_softcapping": None})
    elif model_type == "phi3":
        c.update({"attention_dropout": 0.0, "partial_rotary_factor": 1.0, "sliding_window": None,
                  "original_max_position_embeddings": 256})
    elif model_type == "olmo2":
        c.update({"attention_bias": False, "attention_dropout": 0.0})
    c.update(over)
    return c


class Arch:
    """The interpreted architecture (what the TypeScript side must derive from config.json)."""

    def __init__(self, c):
        self.c = c
        self.model_type = c["model_type"]
        self.V = c["vocab_size"]
        self.D = c["hidden_size"]
        self.F = c["intermediate_size"]
        self.L = c["num_hidden_layers"]
        self.H = c["num_attention_heads"]
        self.KV = c.get("num_key_value_heads") or self.H
        self.hd = c.get("head_dim") or self.D // self.H
        self.eps = c["rms_norm_eps"]
        self.theta = c["rope_theta"]
        self.rope_scaling = c.get("rope_scaling")
        self.tied = bool(c.get("tie_word_embeddings", False))
        mt = self.model_type
        qwen = mt == "qwen2"
        gemma = mt in ("gemma2", "gemma3_text")
        self.qkv_bias = qwen or (mt not in ("mistral", "phi3") and bool(c.get("attention_bias", False)))
        self.o_bias = (not qwen) and mt not in ("mistral", "phi3") and bool(c.get("attention_bias", False))
        self.mlp_bias = mt == "llama" and bool(c.get("mlp_bias", False))
        # the block (HF modeling_<family>.py): norm layout, (1 + w) norms, q/k norms, fused projections, activation
        self.layout = "sandwich" if gemma else "post" if mt == "olmo2" else "pre"
        self.norm_offset = 1.0 if gemma else 0.0
        self.qk_norm = "head" if mt in ("qwen3", "gemma3_text") else "projection" if mt == "olmo2" else None
        self.fused = mt == "phi3"
        self.gelu = gemma
        self.rot = int(self.hd * c.get("partial_rotary_factor", 1.0)) if mt == "phi3" else self.hd
        self.embed_scale = math.sqrt(self.D) if gemma else None
        self.scale = c["query_pre_attn_scalar"] ** -0.5 if gemma else self.hd ** -0.5
        self.attn_cap = c.get("attn_logit_softcapping") if mt == "gemma2" else None
        self.final_cap = c.get("final_logit_softcapping") if gemma else None
        self.local_theta = c.get("rope_local_base_freq", 10000.0) if mt == "gemma3_text" else None
        # per-layer sliding windows (None: full causal)
        if mt in ("mistral", "phi3"):
            w = c.get("sliding_window")
            self.windows = [w] * self.L
        elif mt in ("qwen2", "qwen3"):
            w = c.get("sliding_window") if c.get("use_sliding_window", False) else None
            self.windows = [w if (w is not None and i >= c.get("max_window_layers", 28)) else None for i in range(self.L)]
            if mt == "qwen2" and w is not None:  # the existing qwen2 case never sets it
                raise ValueError("qwen2 sliding window")
        elif mt == "gemma2":
            self.windows = [c["sliding_window"] if (i + 1) % 2 != 0 else None for i in range(self.L)]
        elif mt == "gemma3_text":
            pat = c.get("sliding_window_pattern", 6)
            self.windows = [c["sliding_window"] if (i + 1) % pat != 0 else None for i in range(self.L)]
        else:
            self.windows = [None] * self.L
        self.window = self.windows[0] if len(set(self.windows)) == 1 else "per-layer"


def weight_specs(a):
    """(name, shape, kind) in HF named_parameters order; kind in {w, norm, bias} (norm: Gemma's are offsets)."""
    if a.model_type in ("llama", "mistral", "qwen2"):
        return weight_specs_llama(a)
    nk = "onorm" if a.norm_offset else "norm"
    q, kv = a.H * a.hd, a.KV * a.hd
    s = [("model.embed_tokens.weight", (a.V, a.D), "w")]
    for i in range(a.L):
        p = "model.layers.%d." % i
        if a.fused:
            s.append((p + "self_attn.o_proj.weight", (a.D, q), "w"))
            s.append((p + "self_attn.qkv_proj.weight", (q + 2 * kv, a.D), "w"))
        else:
            for m, rows in (("q", q), ("k", kv), ("v", kv)):
                s.append((p + "self_attn.%s_proj.weight" % m, (rows, a.D), "w"))
                if a.qkv_bias:
                    s.append((p + "self_attn.%s_proj.bias" % m, (rows,), "bias"))
            s.append((p + "self_attn.o_proj.weight", (a.D, q), "w"))
            if a.o_bias:
                s.append((p + "self_attn.o_proj.bias", (a.D,), "bias"))
        if a.qk_norm == "head":
            s.append((p + "self_attn.q_norm.weight", (a.hd,), nk))
            s.append((p + "self_attn.k_norm.weight", (a.hd,), nk))
        elif a.qk_norm == "projection":
            s.append((p + "self_attn.q_norm.weight", (q,), nk))
            s.append((p + "self_attn.k_norm.weight", (kv,), nk))
        if a.fused:
            s.append((p + "mlp.gate_up_proj.weight", (2 * a.F, a.D), "w"))
        else:
            s.append((p + "mlp.gate_proj.weight", (a.F, a.D), "w"))
            s.append((p + "mlp.up_proj.weight", (a.F, a.D), "w"))
        s.append((p + "mlp.down_proj.weight", (a.D, a.F), "w"))
        norms = {"pre": ["input_layernorm", "post_attention_layernorm"],
                 "sandwich": ["input_layernorm", "post_attention_layernorm", "pre_feedforward_layernorm", "post_feedforward_layernorm"],
                 "post": ["post_attention_layernorm", "post_feedforward_layernorm"]}[a.layout]
        for n in norms:
            s.append((p + n + ".weight", (a.D,), nk))
    s.append(("model.norm.weight", (a.D,), nk))
    if not a.tied:
        s.append(("lm_head.weight", (a.V, a.D), "w"))
    return s


def weight_specs_llama(a):
    s = [("model.embed_tokens.weight", (a.V, a.D), "w")]
    for i in range(a.L):
        p = "model.layers.%d" % i
        s.append((p + ".self_attn.q_proj.weight", (a.H * a.hd, a.D), "w"))
        if a.qkv_bias:
            s.append((p + ".self_attn.q_proj.bias", (a.H * a.hd,), "bias"))
        s.append((p + ".self_attn.k_proj.weight", (a.KV * a.hd, a.D), "w"))
        if a.qkv_bias:
            s.append((p + ".self_attn.k_proj.bias", (a.KV * a.hd,), "bias"))
        s.append((p + ".self_attn.v_proj.weight", (a.KV * a.hd, a.D), "w"))
        if a.qkv_bias:
            s.append((p + ".self_attn.v_proj.bias", (a.KV * a.hd,), "bias"))
        s.append((p + ".self_attn.o_proj.weight", (a.D, a.H * a.hd), "w"))
        if a.o_bias:
            s.append((p + ".self_attn.o_proj.bias", (a.D,), "bias"))
        s.append((p + ".mlp.gate_proj.weight", (a.F, a.D), "w"))
        if a.mlp_bias:
            s.append((p + ".mlp.gate_proj.bias", (a.F,), "bias"))
        s.append((p + ".mlp.up_proj.weight", (a.F, a.D), "w"))
        if a.mlp_bias:
            s.append((p + ".mlp.up_proj.bias", (a.F,), "bias"))
        s.append((p + ".mlp.down_proj.weight", (a.D, a.F), "w"))
        if a.mlp_bias:
            s.append((p + ".mlp.down_proj.bias", (a.D,), "bias"))
        s.append((p + ".input_layernorm.weight", (a.D,), "norm"))
        s.append((p + ".post_attention_layernorm.weight", (a.D,), "norm"))
    s.append(("model.norm.weight", (a.D,), "norm"))
    if not a.tied:
        s.append(("lm_head.weight", (a.V, a.D), "w"))
    return s


def gen_weights(a, seed):
    """float32 numpy arrays, seeded; weights N(0, 0.2^2), norms 1 + N(0, 0.1^2), biases N(0, 0.1^2)."""
    g = torch.Generator().manual_seed(seed)
    out = []
    for name, shape, kind in weight_specs(a):
        z = torch.randn(shape, generator=g, dtype=torch.float32)
        if kind == "w":
            t = 0.2 * z
        elif kind == "norm":
            t = 1.0 + 0.1 * z
        elif kind == "onorm":  # Gemma stores w of (1 + w): the same effective scale 1 + N(0, 0.1^2)
            t = 0.1 * z
        else:
            t = 0.1 * z
        out.append((name, t.to(torch.float32).numpy().copy()))
    return out


def gen_ids(a, seed):
    g = torch.Generator().manual_seed(seed + 1000)
    ids = torch.randint(0, a.V, (BATCH, SEQ), generator=g)
    ids[0, 3] = 0          # token 0 as an input and as a target
    ids[1, 5] = a.V - 1    # last vocab row as an input and as a target
    return [[int(x) for x in row] for row in ids]


# ----------------------------------------------------------------------------------------------------
# the model (vectorised, HF semantics)
# ----------------------------------------------------------------------------------------------------

def rope_inv_freq(a, local=False):
    """HF ROPE_INIT_FUNCTIONS: default, linear, llama3 (torch.where formulation as in HF), over the rotary dims
    (phi3: head_dim * partial_rotary_factor). local: gemma3's sliding layers (rope_local_base_freq, no scaling)."""
    hd = a.rot
    theta = a.local_theta if local else a.theta
    inv = 1.0 / (theta ** (torch.arange(0, hd, 2, dtype=torch.int64).to(torch.float64) / hd))
    rs = None if local else a.rope_scaling
    if rs is None:
        return inv
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "default":
        return inv
    if kind == "linear":
        return inv / rs["factor"]
    if kind == "llama3":
        factor = rs["factor"]
        low = rs["low_freq_factor"]
        high = rs["high_freq_factor"]
        old = rs["original_max_position_embeddings"]
        low_freq_wavelen = old / low
        high_freq_wavelen = old / high
        wavelen = 2 * math.pi / inv
        inv_l = torch.where(wavelen > low_freq_wavelen, inv / factor, inv)
        smooth = (old / wavelen - low) / (high - low)
        smoothed = (1 - smooth) * inv_l / factor + smooth * inv_l
        is_medium = ~(wavelen < high_freq_wavelen) * ~(wavelen > low_freq_wavelen)
        return torch.where(is_medium, smoothed, inv_l)
    raise ValueError("rope kind %r" % kind)


def rope_cos_sin(a, T, local=False):
    inv = rope_inv_freq(a, local)
    pos = torch.arange(T, dtype=torch.float64)
    freqs = torch.outer(pos, inv)
    emb = torch.cat([freqs, freqs], dim=-1)
    return emb.cos(), emb.sin()


def rotate_half(x):
    h = x.shape[-1] // 2
    return torch.cat([-x[..., h:], x[..., :h]], dim=-1)


def rms_norm(x, w, eps, offset=0.0):
    return (w + offset) * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + eps))


def gelu_tanh(x):
    """torch's gelu(approximate="tanh") = HF gelu_pytorch_tanh."""
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * x.pow(3))))


def cap(x, c):
    return x if c is None else c * torch.tanh(x / c)


def apply_rope(x, cos, sin):
    """rotate-half on the first cos.shape[-1] dims of each head; the rest pass (phi3's partial rotary)."""
    r = cos.shape[-1]
    xr, xp = x[..., :r], x[..., r:]
    return torch.cat([xr * cos + rotate_half(xr) * sin, xp], dim=-1)


def linear(x, W, b=None):
    y = x @ W.t()
    return y if b is None else y + b


def causal_mask(a, T, window="model"):
    window = a.window if window == "model" else window
    i = torch.arange(T).reshape(-1, 1)
    j = torch.arange(T).reshape(1, -1)
    allowed = j <= i
    if window is not None:
        allowed = allowed & (j > i - window)  # HF: kv_idx > q_idx - sliding_window
    m = torch.zeros(T, T, dtype=torch.float64)
    m[~allowed] = float("-inf")
    return m


def recorder(record):
    """seen(x, *names): stores x as the input each named linear weight reads (Wanda's X) when recording; returns x."""
    def seen(x, *names):
        if record is not None:
            for n in names:
                record[n] = x
        return x
    return seen


def forward(a, W, ids, return_hidden=False, record=None):
    """W: dict name -> float64 tensor. ids: LongTensor [B, T]. -> logits [B, T, V].
    record: a dict that receives, per linear weight name, the input it reads [B, T, in] (Wanda's X)."""
    if a.model_type not in ("llama", "mistral", "qwen2"):
        return forward_family(a, W, ids, return_hidden, record)
    B, T = ids.shape

    seen = recorder(record)

    x = W["model.embed_tokens.weight"][ids]
    cos, sin = rope_cos_sin(a, T)
    mask = causal_mask(a, T)
    rep = a.H // a.KV
    get = W.get
    hidden_last_input = None
    for i in range(a.L):
        p = "model.layers.%d." % i
        if i == a.L - 1:
            hidden_last_input = x
        h = seen(rms_norm(x, W[p + "input_layernorm.weight"], a.eps), *(p + "self_attn.%s_proj.weight" % m for m in "qkv"))
        q = linear(h, W[p + "self_attn.q_proj.weight"], get(p + "self_attn.q_proj.bias"))
        k = linear(h, W[p + "self_attn.k_proj.weight"], get(p + "self_attn.k_proj.bias"))
        v = linear(h, W[p + "self_attn.v_proj.weight"], get(p + "self_attn.v_proj.bias"))
        q = q.view(B, T, a.H, a.hd).transpose(1, 2)
        k = k.view(B, T, a.KV, a.hd).transpose(1, 2)
        v = v.view(B, T, a.KV, a.hd).transpose(1, 2)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        # repeat_kv: [B, KV, T, hd] -> [B, KV*rep, T, hd], kv head j serves query heads j*rep .. j*rep+rep-1
        k = k[:, :, None].expand(B, a.KV, rep, T, a.hd).reshape(B, a.H, T, a.hd)
        v = v[:, :, None].expand(B, a.KV, rep, T, a.hd).reshape(B, a.H, T, a.hd)
        scores = q @ k.transpose(2, 3) * (a.hd ** -0.5) + mask
        probs = torch.softmax(scores, dim=-1)
        o = (probs @ v).transpose(1, 2).reshape(B, T, a.H * a.hd)
        x = x + linear(seen(o, p + "self_attn.o_proj.weight"), W[p + "self_attn.o_proj.weight"], get(p + "self_attn.o_proj.bias"))
        h = seen(rms_norm(x, W[p + "post_attention_layernorm.weight"], a.eps), p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight")
        g = linear(h, W[p + "mlp.gate_proj.weight"], get(p + "mlp.gate_proj.bias"))
        u = linear(h, W[p + "mlp.up_proj.weight"], get(p + "mlp.up_proj.bias"))
        x = x + linear(seen(torch.nn.functional.silu(g) * u, p + "mlp.down_proj.weight"), W[p + "mlp.down_proj.weight"], get(p + "mlp.down_proj.bias"))
    x = rms_norm(x, W["model.norm.weight"], a.eps)
    head = W["model.embed_tokens.weight"] if a.tied else W["lm_head.weight"]
    logits = x @ head.t()
    if return_hidden:
        return logits, hidden_last_input
    return logits


def forward_family(a, W, ids, return_hidden=False, record=None):
    """qwen3, gemma2, gemma3_text, phi3, olmo2 (the llama ladder plus each family's block, HF semantics)."""
    B, T = ids.shape

    seen = recorder(record)

    def nrm(x, name):
        return rms_norm(x, W[name], a.eps, a.norm_offset)

    x = W["model.embed_tokens.weight"][ids]
    if a.embed_scale is not None:
        x = x * a.embed_scale
    rep = a.H // a.KV
    q_w, kv_w = a.H * a.hd, a.KV * a.hd
    hidden_last_input = None
    for i in range(a.L):
        p = "model.layers.%d." % i
        if i == a.L - 1:
            hidden_last_input = x
        local = a.local_theta is not None and a.windows[i] is not None
        cos, sin = rope_cos_sin(a, T, local)
        mask = causal_mask(a, T, a.windows[i])
        h = x if a.layout == "post" else nrm(x, p + "input_layernorm.weight")
        if a.fused:
            qkv = seen(h, p + "self_attn.qkv_proj.weight") @ W[p + "self_attn.qkv_proj.weight"].t()
            q, k, v = qkv[..., :q_w], qkv[..., q_w:q_w + kv_w], qkv[..., q_w + kv_w:]
        else:
            seen(h, *(p + "self_attn.%s_proj.weight" % m for m in "qkv"))
            q = linear(h, W[p + "self_attn.q_proj.weight"], W.get(p + "self_attn.q_proj.bias"))
            k = linear(h, W[p + "self_attn.k_proj.weight"], W.get(p + "self_attn.k_proj.bias"))
            v = linear(h, W[p + "self_attn.v_proj.weight"], W.get(p + "self_attn.v_proj.bias"))
        if a.qk_norm == "projection":
            q, k = nrm(q, p + "self_attn.q_norm.weight"), nrm(k, p + "self_attn.k_norm.weight")
        q = q.view(B, T, a.H, a.hd)
        k = k.view(B, T, a.KV, a.hd)
        if a.qk_norm == "head":
            q, k = nrm(q, p + "self_attn.q_norm.weight"), nrm(k, p + "self_attn.k_norm.weight")
        q, k = q.transpose(1, 2), k.transpose(1, 2)
        v = v.view(B, T, a.KV, a.hd).transpose(1, 2)
        q, k = apply_rope(q, cos, sin), apply_rope(k, cos, sin)
        k = k[:, :, None].expand(B, a.KV, rep, T, a.hd).reshape(B, a.H, T, a.hd)
        v = v[:, :, None].expand(B, a.KV, rep, T, a.hd).reshape(B, a.H, T, a.hd)
        scores = cap(q @ k.transpose(2, 3) * a.scale, a.attn_cap) + mask
        o = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(B, T, q_w)
        attn = linear(seen(o, p + "self_attn.o_proj.weight"), W[p + "self_attn.o_proj.weight"], W.get(p + "self_attn.o_proj.bias"))
        if a.layout != "pre":
            attn = nrm(attn, p + "post_attention_layernorm.weight")
        x = x + attn
        h = {"pre": lambda: nrm(x, p + "post_attention_layernorm.weight"),
             "sandwich": lambda: nrm(x, p + "pre_feedforward_layernorm.weight"),
             "post": lambda: x}[a.layout]()
        if a.fused:
            gu = seen(h, p + "mlp.gate_up_proj.weight") @ W[p + "mlp.gate_up_proj.weight"].t()
            g, u = gu[..., :a.F], gu[..., a.F:]
        else:
            seen(h, p + "mlp.gate_proj.weight", p + "mlp.up_proj.weight")
            g, u = h @ W[p + "mlp.gate_proj.weight"].t(), h @ W[p + "mlp.up_proj.weight"].t()
        act = gelu_tanh(g) if a.gelu else torch.nn.functional.silu(g)
        out = seen(act * u, p + "mlp.down_proj.weight") @ W[p + "mlp.down_proj.weight"].t()
        if a.layout != "pre":
            out = nrm(out, p + "post_feedforward_layernorm.weight")
        x = x + out
    x = nrm(x, "model.norm.weight")
    head = W["model.embed_tokens.weight"] if a.tied else W["lm_head.weight"]
    logits = cap(x @ head.t(), a.final_cap)
    if return_hidden:
        return logits, hidden_last_input
    return logits


def token_nll(logits, ids):
    """[B, T-1] next-token negative log-likelihoods."""
    logp = torch.log_softmax(logits[:, :-1], dim=-1)
    return -logp.gather(-1, ids[:, 1:, None])[..., 0]


def hf_loss(logits, ids):
    """HF labels=ids: mean cross-entropy over all B*(T-1) shifted positions."""
    return token_nll(logits, ids).mean()


def importance_objective(logits, ids):
    """Sum over windows of each window's own mean NLL."""
    return token_nll(logits, ids).mean(dim=1).sum()


# ----------------------------------------------------------------------------------------------------
# a second, deliberately naive implementation (loops, pairwise rotation, explicit window test) used only
# to cross-check the vectorised one above
# ----------------------------------------------------------------------------------------------------

def naive_inv_freq(a):
    hd = a.hd
    freqs = [1.0 / (a.theta ** (2 * k / hd)) for k in range(hd // 2)]
    rs = a.rope_scaling
    if rs is None:
        return freqs
    kind = rs.get("rope_type", rs.get("type"))
    if kind == "linear":
        return [f / rs["factor"] for f in freqs]
    # llama3: Meta's apply_scaling loop formulation
    sf, lo, hi, old = rs["factor"], rs["low_freq_factor"], rs["high_freq_factor"], rs["original_max_position_embeddings"]
    out = []
    for f in freqs:
        wl = 2 * math.pi / f
        if wl < old / hi:
            out.append(f)
        elif wl > old / lo:
            out.append(f / sf)
        else:
            s = (old / wl - lo) / (hi - lo)
            out.append((1 - s) * f / sf + s * f)
    return out


def naive_rot(vec, t, inv, half):
    """RoPE pair by pair: (d, d + half) rotated by t * inv[d]; dims from 2*half on pass through."""
    out = vec.clone()
    for d in range(half):
        c, s = math.cos(t * inv[d]), math.sin(t * inv[d])
        x1, x2 = vec[d], vec[d + half]
        out[d] = x1 * c - x2 * s
        out[d + half] = x2 * c + x1 * s
    return out


def naive_lin(W, x, name):
    y = torch.mv(W[name + ".weight"], x)
    if (name + ".bias") in W:
        y = y + W[name + ".bias"]
    return y


def naive_forward(a, W, ids):
    if a.model_type not in ("llama", "mistral", "qwen2"):
        return naive_forward_family(a, W, ids)
    B, T = ids.shape
    inv = naive_inv_freq(a)
    half = a.hd // 2
    rep = a.H // a.KV

    def rot(vec, t):  # vec: [hd] tensor; pairs (d, d + hd/2)
        return naive_rot(vec, t, inv, half)

    def lin(x, name):
        return naive_lin(W, x, name)

    def norm(x, w):
        ms = sum(float(v) ** 2 for v in x) / len(x)
        return w * x / math.sqrt(ms + a.eps)

    all_logits = []
    for b in range(B):
        xs = [W["model.embed_tokens.weight"][int(t)].clone() for t in ids[b]]
        for l in range(a.L):
            p = "model.layers.%d." % l
            hs = [norm(x, W[p + "input_layernorm.weight"]) for x in xs]
            qs = [lin(h, p + "self_attn.q_proj").view(a.H, a.hd) for h in hs]
            ks = [lin(h, p + "self_attn.k_proj").view(a.KV, a.hd) for h in hs]
            vs = [lin(h, p + "self_attn.v_proj").view(a.KV, a.hd) for h in hs]
            new = []
            for i in range(T):
                heads = []
                for hh in range(a.H):
                    kvh = hh // rep
                    qi = rot(qs[i][hh], i)
                    js = [j for j in range(T) if j <= i and (a.window is None or i - j < a.window)]
                    sc = [float(torch.dot(qi, rot(ks[j][kvh], j))) / math.sqrt(a.hd) for j in js]
                    mx = max(sc)
                    ex = [math.exp(s - mx) for s in sc]
                    z = sum(ex)
                    o = sum((e / z) * vs[j][kvh] for e, j in zip(ex, js))
                    heads.append(o)
                attn = lin(torch.cat(heads), p + "self_attn.o_proj")
                new.append(xs[i] + attn)
            xs = new
            out = []
            for x in xs:
                h = norm(x, W[p + "post_attention_layernorm.weight"])
                g = lin(h, p + "mlp.gate_proj")
                u = lin(h, p + "mlp.up_proj")
                act = g / (1 + torch.exp(-g))
                out.append(x + lin(act * u, p + "mlp.down_proj"))
            xs = out
        head = W["model.embed_tokens.weight"] if a.tied else W["lm_head.weight"]
        all_logits.append(torch.stack([torch.mv(head, norm(x, W["model.norm.weight"])) for x in xs]))
    return torch.stack(all_logits)


def naive_forward_family(a, W, ids):
    """The new families position by position: pairwise rotation of the first `rot` dims, explicit window and
    soft-cap arithmetic in Python floats, the norms' layouts spelled out."""
    B, T = ids.shape
    rep = a.H // a.KV
    q_w, kv_w = a.H * a.hd, a.KV * a.hd

    def inv_freq(local):
        theta = a.local_theta if local else a.theta
        f = [1.0 / (theta ** (2 * k / a.rot)) for k in range(a.rot // 2)]
        rs = None if local else a.rope_scaling
        if rs is not None and rs.get("rope_type", rs.get("type")) == "linear":
            f = [v / rs["factor"] for v in f]
        return f

    def rot(vec, t, inv):  # pairs (d, d + rot/2) of the first rot dims
        return naive_rot(vec, t, inv, a.rot // 2)

    def lin(x, name):
        return naive_lin(W, x, name)

    def norm(x, name):
        ms = sum(float(v) ** 2 for v in x) / len(x)
        return (W[name] + a.norm_offset) * x / math.sqrt(ms + a.eps)

    def capf(v, c):
        return v if c is None else c * math.tanh(v / c)

    def act(g):
        if a.gelu:
            return torch.tensor([0.5 * v * (1 + math.tanh(math.sqrt(2 / math.pi) * (v + 0.044715 * v ** 3))) for v in g.tolist()])
        return g / (1 + torch.exp(-g))

    all_logits = []
    for b in range(B):
        xs = [W["model.embed_tokens.weight"][int(t)].clone() * (a.embed_scale or 1.0) for t in ids[b]]
        for l in range(a.L):
            p = "model.layers.%d." % l
            window = a.windows[l]
            inv = inv_freq(a.local_theta is not None and window is not None)
            hs = xs if a.layout == "post" else [norm(x, p + "input_layernorm.weight") for x in xs]
            qs, ks, vs = [], [], []
            for h in hs:
                if a.fused:
                    qkv = lin(h, p + "self_attn.qkv_proj")
                    q, k, v = qkv[:q_w], qkv[q_w:q_w + kv_w], qkv[q_w + kv_w:]
                else:
                    q, k, v = lin(h, p + "self_attn.q_proj"), lin(h, p + "self_attn.k_proj"), lin(h, p + "self_attn.v_proj")
                if a.qk_norm == "projection":
                    q, k = norm(q, p + "self_attn.q_norm.weight"), norm(k, p + "self_attn.k_norm.weight")
                q, k, v = q.view(a.H, a.hd), k.view(a.KV, a.hd), v.view(a.KV, a.hd)
                if a.qk_norm == "head":
                    q = torch.stack([norm(r, p + "self_attn.q_norm.weight") for r in q])
                    k = torch.stack([norm(r, p + "self_attn.k_norm.weight") for r in k])
                qs.append(q), ks.append(k), vs.append(v)
            new = []
            for i in range(T):
                heads = []
                for hh in range(a.H):
                    kvh = hh // rep
                    qi = rot(qs[i][hh], i, inv)
                    js = [j for j in range(T) if j <= i and (window is None or i - j < window)]
                    sc = [capf(float(torch.dot(qi, rot(ks[j][kvh], j, inv))) * a.scale, a.attn_cap) for j in js]
                    mx = max(sc)
                    ex = [math.exp(s_ - mx) for s_ in sc]
                    z = sum(ex)
                    heads.append(sum((e / z) * vs[j][kvh] for e, j in zip(ex, js)))
                attn = lin(torch.cat(heads), p + "self_attn.o_proj")
                if a.layout != "pre":
                    attn = norm(attn, p + "post_attention_layernorm.weight")
                new.append(xs[i] + attn)
            xs = new
            out = []
            for x in xs:
                h = norm(x, p + ("post_attention_layernorm.weight" if a.layout == "pre" else "pre_feedforward_layernorm.weight")) if a.layout != "post" else x
                if a.fused:
                    gu = lin(h, p + "mlp.gate_up_proj")
                    g, u = gu[:a.F], gu[a.F:]
                else:
                    g, u = lin(h, p + "mlp.gate_proj"), lin(h, p + "mlp.up_proj")
                m = lin(act(g) * u, p + "mlp.down_proj")
                if a.layout != "pre":
                    m = norm(m, p + "post_feedforward_layernorm.weight")
                out.append(x + m)
            xs = out
        head = W["model.embed_tokens.weight"] if a.tied else W["lm_head.weight"]
        rows = [torch.mv(head, norm(x, "model.norm.weight")) for x in xs]
        all_logits.append(torch.stack([torch.tensor([capf(v, a.final_cap) for v in r.tolist()]) for r in rows]))
    return torch.stack(all_logits)


# ----------------------------------------------------------------------------------------------------
# output
# ----------------------------------------------------------------------------------------------------

def fmt(v):
    v = float(v)
    assert math.isfinite(v), v
    s = "%.*g" % (DIGITS, v)
    if s == "-0":
        s = "0"
    return s


def dump_nested(x):
    if isinstance(x, torch.Tensor):
        x = x.tolist()
    if isinstance(x, list):
        return "[" + ",".join(dump_nested(e) for e in x) + "]"
    return fmt(x)


def write_expected(path, d):
    """JSON with one top-level key (and one weight) per line; array values as %.9g, scalars full repr."""
    lines = ["{"]
    items = list(d.items())
    for n, (k, v) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if isinstance(v, dict):
            lines.append("  %s: {" % json.dumps(k))
            sub = list(v.items())
            for m, (k2, v2) in enumerate(sub):
                c2 = "," if m < len(sub) - 1 else ""
                lines.append("    %s: %s%s" % (json.dumps(k2), dump_nested(v2.reshape(-1)), c2))
            lines.append("  }" + comma)
        elif isinstance(v, (str, int, bool)) or v is None:
            lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v), comma))
        elif isinstance(v, float):  # scalars (the loss) at full float64 precision
            assert math.isfinite(v)
            lines.append("  %s: %s%s" % (json.dumps(k), repr(v), comma))
        elif isinstance(v, torch.Tensor):
            lines.append("  %s: %s%s" % (json.dumps(k), dump_nested(v), comma))
        else:  # ids (list of ints) etc.
            lines.append("  %s: %s%s" % (json.dumps(k), json.dumps(v, separators=(",", ":")), comma))
    lines.append("}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    json.loads(open(path).read())  # must parse


def write_config(path, c):
    with open(path, "w") as f:
        f.write(json.dumps(c, indent=2, sort_keys=True) + "\n")


# ----------------------------------------------------------------------------------------------------
# cases
# ----------------------------------------------------------------------------------------------------

CASES = [
    dict(name="llama-untied", seed=11, cfg=dict(model_type="llama"),
         covers="plain llama, MHA (num_key_value_heads = num_attention_heads), separate lm_head"),
    dict(name="llama-tied", seed=12, cfg=dict(model_type="llama", tie_word_embeddings=True),
         covers="tie_word_embeddings: no lm_head.weight in the file, logits use embed_tokens; the embedding "
                "gradient includes both uses"),
    dict(name="llama-gqa", seed=13, cfg=dict(model_type="llama", num_key_value_heads=2),
         covers="GQA: 4 query heads, 2 kv heads (kv head j serves query heads 2j, 2j+1)"),
    dict(name="llama-bias", seed=14, cfg=dict(model_type="llama", attention_bias=True, mlp_bias=True),
         covers="attention_bias (q/k/v/o biases) and mlp_bias (gate/up/down biases)"),
    dict(name="qwen2", seed=15, cfg=dict(model_type="qwen2", num_key_value_heads=2, rope_theta=1000000.0,
                                         tie_word_embeddings=True, rms_norm_eps=1e-6),
         covers="qwen2: q/k/v biases (no o bias), GQA 4/2, rope_theta 1e6, tied embeddings, rms_norm_eps 1e-6; "
                "use_sliding_window false (sliding_window 32768 is present but ignored)"),
    dict(name="mistral-window", seed=16, cfg=dict(model_type="mistral", sliding_window=3),
         covers="mistral with sliding_window 3 < seq 8: query i attends keys j with i-3 < j <= i"),
    dict(name="llama-headdim", seed=17, cfg=dict(model_type="llama", head_dim=8),
         covers="explicit head_dim 8 != hidden/heads 4: q_proj [32,16], k/v [32,16], o_proj [16,32]; "
                "attention scale 1/sqrt(8)"),
    dict(name="llama-rope-linear", seed=18,
         cfg=dict(model_type="llama", rope_scaling={"rope_type": "linear", "factor": 2.0}),
         covers="rope_scaling linear, factor 2 (inv_freq / 2)"),
    dict(name="llama-rope-llama3", seed=19,
         cfg=dict(model_type="llama", num_attention_heads=2, num_key_value_heads=2, head_dim=8, rope_theta=100.0,
                  rope_scaling={"rope_type": "llama3", "factor": 8.0, "low_freq_factor": 1.0,
                                "high_freq_factor": 4.0, "original_max_position_embeddings": 32}),
         covers="rope_scaling llama3 (factor 8, low 1, high 4, original_max_position_embeddings 32), "
                "2 heads of head_dim 8 (hidden 16), rope_theta 100: all three bands occur (inv_freq index 0 high/unchanged, "
                "1 medium/smoothed, 2 and 3 low/divided by factor)"),
    dict(name="llama-bf16", seed=20, cfg=dict(model_type="llama", torch_dtype="bfloat16"), dtype="BF16",
         covers="weights stored as BF16 (round-to-nearest-even from float32); reference uses the bf16 values"),
    dict(name="qwen3", seed=21, cfg=dict(model_type="qwen3", num_key_value_heads=2, head_dim=8, rope_theta=1000000.0,
                                         tie_word_embeddings=True, rms_norm_eps=1e-6),
         covers="qwen3: per-head RMSNorm q_norm/k_norm over head_dim before RoPE, explicit head_dim 8 != hidden/heads 4, "
                "GQA 4/2, no biases, tied embeddings"),
    dict(name="olmo2", seed=22, cfg=dict(model_type="olmo2", num_key_value_heads=2, rms_norm_eps=1e-6),
         covers="olmo2: post-norm (post_attention_layernorm on the attention output, post_feedforward_layernorm on the MLP "
                "output, no input_layernorm), q_norm/k_norm over the whole projection [heads*hd] before the head split, GQA 4/2"),
    dict(name="phi3", seed=23, cfg=dict(model_type="phi3", num_key_value_heads=2, partial_rotary_factor=0.5, sliding_window=5),
         covers="phi3: fused qkv_proj (q, then k, then v rows) and gate_up_proj (gate rows, then up rows), partial rotary "
                "(first 2 of head_dim 4 rotated, inv_freq over dim 2), sliding_window 5 on every layer, GQA 4/2"),
    dict(name="gemma2", seed=24, cfg=dict(model_type="gemma2", num_key_value_heads=2, head_dim=8, query_pre_attn_scalar=6,
                                          attn_logit_softcapping=1.0, final_logit_softcapping=1.5, sliding_window=3),
         covers="gemma2: embedding x sqrt(hidden), (1 + w) RMSNorms, four norms per block (input, post-attention, "
                "pre-feedforward, post-feedforward), GeGLU (gelu_pytorch_tanh), scores x query_pre_attn_scalar^-1/2 (6, != head_dim 8), "
                "attention soft-cap 1.0 before the mask, final logit soft-cap 1.5, sliding window 3 on layer 0 (even layers) and "
                "full attention on layer 1, tied embeddings"),
    dict(name="gemma3", seed=25, cfg=dict(model_type="gemma3_text", num_key_value_heads=2, head_dim=8, query_pre_attn_scalar=8,
                                          sliding_window=3, sliding_window_pattern=2, rope_theta=100.0,
                                          rope_local_base_freq=10000.0, rope_scaling={"rope_type": "linear", "factor": 2.0}),
         covers="gemma3_text: gemma2's block plus per-head (1 + w) q_norm/k_norm, sliding_window_pattern 2 (layer 0 sliding "
                "with window 3 and the local RoPE base 10000 unscaled, layer 1 global with rope_theta 100 and linear scaling x2), "
                "no soft-capping (null)"),
    dict(name="gemma3-bf16", seed=25, cfg=dict(model_type="gemma3_text", num_key_value_heads=2, head_dim=8, query_pre_attn_scalar=8,
                                               sliding_window=3, sliding_window_pattern=2, rope_theta=100.0,
                                               rope_local_base_freq=10000.0, rope_scaling={"rope_type": "linear", "factor": 2.0},
                                               torch_dtype="bfloat16"), dtype="BF16",
         covers="the gemma3 case with its weights stored as BF16 (the (1 + w) norm offsets rounded in bf16)"),
    dict(name="gemma2-sharded", seed=24, cfg=dict(model_type="gemma2", num_key_value_heads=2, head_dim=8, query_pre_attn_scalar=6,
                                                  attn_logit_softcapping=1.0, final_logit_softcapping=1.5, sliding_window=3),
         shards=3, same_as="gemma2",
         covers="the same weights as gemma2 in three shards with model.safetensors.index.json; expected.json identical to gemma2's"),
    dict(name="llama-sharded", seed=11, cfg=dict(model_type="llama"), shards=2, same_as="llama-untied",
         covers="the same weights as llama-untied in two shards with model.safetensors.index.json; "
                "expected.json identical to llama-untied's"),
]


def llama3_bands(a):
    rs = a.rope_scaling
    inv = [1.0 / (a.theta ** (2 * k / a.hd)) for k in range(a.hd // 2)]
    old = rs["original_max_position_embeddings"]
    lo_wl, hi_wl = old / rs["low_freq_factor"], old / rs["high_freq_factor"]
    bands = []
    for f in inv:
        wl = 2 * math.pi / f
        bands.append("high(unchanged)" if wl < hi_wl else "low(/factor)" if wl > lo_wl else "medium(smoothed)")
    return bands


def write_case(case):
    name = case["name"]
    d = os.path.join(OUT_ROOT, name)
    os.makedirs(d, exist_ok=True)
    cfgkw = dict(case["cfg"])
    mt = cfgkw.pop("model_type")
    c = make_config(mt, **cfgkw)
    a = Arch(c)
    dtype = case.get("dtype", "F32")
    weights = gen_weights(a, case["seed"])
    for f in os.listdir(d):  # clear stale files of this case only
        os.remove(os.path.join(d, f))
    write_config(os.path.join(d, "config.json"), c)
    shards = case.get("shards", 1)
    if shards == 1:
        write_safetensors(os.path.join(d, "model.safetensors"), weights, dtype)
    else:
        per = math.ceil(len(weights) / shards)
        weight_map = {}
        total = 0
        for s in range(shards):
            fname = "model-%05d-of-%05d.safetensors" % (s + 1, shards)
            part = weights[s * per : (s + 1) * per]
            total += write_safetensors(os.path.join(d, fname), part, dtype)
            for n, _ in part:
                weight_map[n] = fname
        index = {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}
        with open(os.path.join(d, "model.safetensors.index.json"), "w") as f:
            f.write(json.dumps(index, indent=2) + "\n")
    return a, weights


def compute_expected(case, a, W, ids_list):
    names = [n for n, _, _ in weight_specs(a)]
    ids = torch.tensor(ids_list, dtype=torch.int64)
    params = {n: W[n].clone().requires_grad_(True) for n in names}
    logits, hidden_last_input = forward(a, params, ids, return_hidden=True)
    loss = hf_loss(logits, ids)
    grads = torch.autograd.grad(loss, [params[n] for n in names])
    logits2 = forward(a, params, ids)
    obj = importance_objective(logits2, ids)
    g_imp = torch.autograd.grad(obj, [params[n] for n in names])
    with torch.no_grad():
        logits_last = forward(a, W, ids[:1])[0, -1]
        # Wanda (Sun et al. 2023): |W_ij| * ||X_j||_2, X_j = input channel j of the linear layer over every position.
        inputs = {}
        forward(a, W, ids, record=inputs)
        wanda = {n: W[n].abs() * x.reshape(-1, x.shape[-1]).pow(2).sum(0).sqrt()[None, :] for n, x in inputs.items()}
    exp = {
        "case": case["name"],
        "covers": case["covers"],
        "generated_by": "scripts/reference/make_reference.py (independent float64 PyTorch re-implementation of HF semantics)",
        "ids": ids_list,
        "rope_inv_freq": rope_inv_freq(a),
        "logits": logits.detach(),
        "logits_last": logits_last,
        "loss": float(loss),
        "grads": {n: g.detach() for n, g in zip(names, grads)},
        "importance": {n: (W[n] * g).abs() for n, g in zip(names, g_imp)},
        "wanda": wanda,
        "hidden_last_layer_input": hidden_last_input.detach(),
        "tolerance_note": TOLERANCE_NOTE,
    }
    return exp, params, logits.detach(), grads, g_imp


def finite_difference_check(a, W, ids_list, grads, names, seed):
    """Central differences in float64 on a few entries of a few weights; returns max relative error."""
    ids = torch.tensor(ids_list, dtype=torch.int64)
    g = torch.Generator().manual_seed(seed + 2000)
    picks = [n for n in names if n.endswith(("embed_tokens.weight", "lm_head.weight", "model.norm.weight"))]
    picks += [n for n in names if ".layers.0." in n and ("q_proj" in n or "k_proj.bias" in n or "input_layernorm" in n)]
    picks += [n for n in names if ".layers.%d." % (a.L - 1) in n and ("v_proj" in n or "o_proj" in n or "down_proj" in n or "gate_proj.bias" in n)]
    # the new families' own tensors: q/k norms, fused projections, the extra norms
    picks += [n for n in names if ".layers.0." in n and any(t in n for t in ("q_norm", "k_norm", "qkv_proj", "gate_up_proj",
                                                                          "post_feedforward_layernorm", "pre_feedforward_layernorm"))]
    gd = dict(zip(names, grads))
    worst = 0.0
    rows = []
    eps = 1e-5
    for n in picks:
        flat_n = W[n].numel()
        gflat = gd[n].reshape(-1)
        # pick the entry with the largest |grad| plus one random entry
        idxs = [int(gflat.abs().argmax()), int(torch.randint(0, flat_n, (1,), generator=g))]
        for ix in idxs:
            vals = []
            for sgn in (1, -1):
                W2 = dict(W)
                t = W[n].clone().reshape(-1)
                t[ix] += sgn * eps
                W2[n] = t.reshape(W[n].shape)
                with torch.no_grad():
                    vals.append(float(hf_loss(forward(a, W2, ids), ids)))
            fd = (vals[0] - vals[1]) / (2 * eps)
            an = float(gflat[ix])
            # relative error, floored at 1e-3 so round-off of the difference quotient (~|loss|*1e-16/h)
            # does not dominate tiny gradients
            err = abs(fd - an) / max(abs(an), 1e-3)
            worst = max(worst, err)
            rows.append((n, ix, an, fd, err))
    return worst, rows


def maxdiff(x, y):
    return float((x - y).abs().max())


def main():
    check_only = "--quiet" in sys.argv
    os.makedirs(OUT_ROOT, exist_ok=True)
    print("torch %s, numpy %s, python %s" % (torch.__version__, np.__version__, sys.version.split()[0]))
    results = {}
    summary = []
    for case in CASES:
        name = case["name"]
        a, weights_f32 = write_case(case)
        d = os.path.join(OUT_ROOT, name)
        W = read_checkpoint(d)  # reference runs on what was written
        names = [n for n, _, _ in weight_specs(a)]
        assert list(sorted(W)) == sorted(names), (sorted(W), names)
        # writer check: read-back equals the generated values (bf16: their RNE rounding)
        for n, arr in weights_f32:
            src = torch.from_numpy(arr.astype(np.float64))
            if case.get("dtype") == "BF16":
                ref = torch.from_numpy(torch.from_numpy(arr).to(torch.bfloat16).to(torch.float32).numpy().astype(np.float64))
                assert torch.equal(W[n], ref), "bf16 RNE differs from torch's for " + n
                assert maxdiff(W[n], src) > 0
            else:
                assert torch.equal(W[n], src), n
        seed_for_ids = case["seed"]
        ids_list = gen_ids(a, seed_for_ids)
        exp, params, logits, grads, g_imp = compute_expected(case, a, W, ids_list)
        if "same_as" in case:  # a sharded copy: its expected.json is byte-identical to the unsharded case's
            exp["case"] = case["same_as"]
            exp["covers"] = next(c["covers"] for c in CASES if c["name"] == case["same_as"])
        write_expected(os.path.join(d, "expected.json"), exp)
        results[name] = dict(a=a, W=W, ids=ids_list, logits=logits, loss=float(exp["loss"]), grads=grads, g_imp=g_imp,
                             names=names, exp=exp)

        # --- per-case sanity checks ---
        ids = torch.tensor(ids_list)
        with torch.no_grad():
            naive = naive_forward(a, W, ids)
        nd = maxdiff(naive, logits)
        assert nd < 1e-11, (name, nd)
        ll = maxdiff(exp["logits_last"], logits[0, -1])
        assert ll < 1e-12, (name, ll)
        imp_vs = max(maxdiff(gi, BATCH * g) for gi, g in zip(g_imp, grads))
        assert imp_vs < 1e-12, (name, imp_vs)
        worst, rows = finite_difference_check(a, W, ids_list, grads, names, case["seed"])
        print("\n[%s] loss %.12f  |naive-vectorised| %.1e  |logits_last-logits[0,-1]| %.1e  |g_imp-B*g| %.1e"
              % (name, exp["loss"], nd, ll, imp_vs))
        if a.rope_scaling and a.rope_scaling.get("rope_type") == "llama3":
            print("  llama3 RoPE bands per frequency index (head_dim %d, theta %g): %s"
                  % (a.hd, a.theta, llama3_bands(a)))
            print("  inv_freq base %s -> scaled %s" % (
                [round(1.0 / (a.theta ** (2 * k / a.hd)), 6) for k in range(a.hd // 2)],
                [round(float(v), 6) for v in rope_inv_freq(a)]))
        print("  finite differences (central, h=1e-5, float64; rel = |fd-autograd|/max(|autograd|,1e-3)): max rel err %.2e over %d entries" % (worst, len(rows)))
        for n, ix, an, fd, err in rows:
            print("    %-45s [%4d] autograd % .10e  fd % .10e  err %.1e" % (n, ix, an, fd, err))
        assert worst < 1e-6, (name, worst)
        summary.append((name, worst))

    # --- cross-case sanity checks ---
    print("\ncross-case checks:")
    # sharded == unsharded
    for sharded in [c for c in CASES if "same_as" in c]:
        base = sharded["same_as"]
        e1 = open(os.path.join(OUT_ROOT, base, "expected.json"), "rb").read()
        e2 = open(os.path.join(OUT_ROOT, sharded["name"], "expected.json"), "rb").read()
        assert e1 == e2, "%s's expected.json differs from %s's" % (sharded["name"], base)
        Wu, Ws = results[base]["W"], results[sharded["name"]]["W"]
        assert set(Wu) == set(Ws) and all(torch.equal(Wu[k], Ws[k]) for k in Wu)
        print("  %s: weights and expected.json byte-identical to %s: ok" % (sharded["name"], base))

    # tied == untied with lm_head := embed
    rt = results["llama-tied"]
    a_t = rt["a"]
    a_u = Arch(dict(a_t.c, tie_word_embeddings=False))
    Wu2 = dict(rt["W"])
    Wu2["lm_head.weight"] = rt["W"]["model.embed_tokens.weight"].clone()
    ids = torch.tensor(rt["ids"])
    with torch.no_grad():
        lu = forward(a_u, Wu2, ids)
    d_tie = maxdiff(lu, rt["logits"])
    assert d_tie == 0.0, d_tie
    # and the tied embedding grad = untied embed grad + untied lm_head grad
    p = {k: v.clone().requires_grad_(True) for k, v in Wu2.items()}
    loss_u = hf_loss(forward(a_u, p, ids), ids)
    ge, gl = torch.autograd.grad(loss_u, [p["model.embed_tokens.weight"], p["lm_head.weight"]])
    gt = rt["grads"][rt["names"].index("model.embed_tokens.weight")]
    d_tg = maxdiff(ge + gl, gt)
    assert d_tg < 1e-14, d_tg
    print("  llama-tied == untied with lm_head := embed_tokens: logits max diff %.1e; "
          "tied embed grad == embed grad + lm_head grad: %.1e" % (d_tie, d_tg))

    # sliding window matters, and a window >= seq is the same as full causal
    rm = results["mistral-window"]
    ids = torch.tensor(rm["ids"])
    with torch.no_grad():
        full = forward(Arch(dict(rm["a"].c, sliding_window=None)), rm["W"], ids)
        big = forward(Arch(dict(rm["a"].c, sliding_window=SEQ)), rm["W"], ids)
    dw = maxdiff(full, rm["logits"])
    assert dw > 1e-2, dw
    assert maxdiff(big, full) == 0.0
    # positions 0..2 see at most 3 keys either way: logits there must agree exactly
    d_early = maxdiff(full[:, :3], rm["logits"][:, :3])
    assert d_early < 1e-14, d_early
    print("  mistral-window: differs from full causal by %.3f (max |logit diff|), first 3 positions agree (%.1e), "
          "window=seq equals full causal: ok" % (dw, d_early))

    # the new families' own settings each change the logits (so a reimplementation that drops one fails)
    def differs(nm, **over):
        r = results[nm]
        with torch.no_grad():
            other = forward(Arch(dict(r["a"].c, **over)), r["W"], torch.tensor(r["ids"]))
        d = maxdiff(other, r["logits"])
        assert d > 1e-3, (nm, over, d)
        print("  %s: %s changes the logits by %.3f" % (nm, ", ".join("%s=%s" % kv for kv in over.items()), d))
    differs("gemma2", attn_logit_softcapping=None)
    differs("gemma2", final_logit_softcapping=None)
    differs("gemma2", sliding_window=SEQ)
    differs("gemma2", query_pre_attn_scalar=8)
    differs("gemma3", sliding_window_pattern=1)
    differs("gemma3", rope_local_base_freq=100.0)
    differs("phi3", partial_rotary_factor=1.0)
    differs("phi3", sliding_window=None)

    # GQA == MHA with kv weights duplicated per repeat_interleave
    for nm in ("llama-gqa", "qwen2"):
        r = results[nm]
        a = r["a"]
        rep = a.H // a.KV
        Wm = dict(r["W"])
        for i in range(a.L):
            for kv in ("k_proj", "v_proj"):
                for suf in ("weight", "bias"):
                    key = "model.layers.%d.self_attn.%s.%s" % (i, kv, suf)
                    if key in Wm:
                        t = Wm[key].reshape(a.KV, a.hd, -1)
                        Wm[key] = t.repeat_interleave(rep, dim=0).reshape(a.H * a.hd, *Wm[key].shape[1:])
        am = Arch(dict(a.c, num_key_value_heads=a.H))
        with torch.no_grad():
            lm = forward(am, Wm, torch.tensor(r["ids"]))
        dg = maxdiff(lm, r["logits"])
        assert dg < 1e-13, dg
        print("  %s: GQA equals MHA with k/v heads repeat_interleaved: max diff %.1e" % (nm, dg))

    # rope scaling changes things; bf16 differs from f32 of the same seed
    for nm in ("llama-rope-linear", "llama-rope-llama3"):
        r = results[nm]
        with torch.no_grad():
            plain = forward(Arch(dict(r["a"].c, rope_scaling=None)), r["W"], torch.tensor(r["ids"]))
        dr = maxdiff(plain, r["logits"])
        assert dr > 1e-3
        print("  %s: differs from unscaled RoPE by %.3f" % (nm, dr))
    rb = results["llama-bf16"]
    wf = {n: torch.from_numpy(arr.astype(np.float64)) for n, arr in gen_weights(rb["a"], 20)}
    with torch.no_grad():
        lf = forward(rb["a"], wf, torch.tensor(rb["ids"]))
    print("  llama-bf16: bf16-rounded weights move logits by %.2e vs the unrounded float32 weights"
          % maxdiff(lf, rb["logits"]))

    print("\nfinite-difference summary (max relative error per case):")
    for nm, w in summary:
        print("  %-20s %.2e" % (nm, w))
    total = 0
    print("\nfiles:")
    for nm in sorted(os.listdir(OUT_ROOT)):
        dd = os.path.join(OUT_ROOT, nm)
        for f in sorted(os.listdir(dd)):
            sz = os.path.getsize(os.path.join(dd, f))
            total += sz
            print("  %-60s %8d" % (os.path.relpath(os.path.join(dd, f), REPO_ROOT), sz))
    print("  total %d bytes" % total)


if __name__ == "__main__":
    main()
