"""The reference architecture in PyTorch, written from REFERENCE.md (the original's code is not public).

Parameter names are the original's and the Java port's (`eq torch export` / `eq torch import` move weights
between them): embedding.0, pos_encoder.pe, transformer_encoder.layers.N.{self_attn,linear1,linear2,norm1,norm2},
output_layer. As in the original, the positional table is a persistent buffer `pe` of shape [1, max_length, d_model]
in a module named pos_encoder, so state_dict() holds it beside the 28 learned tensors and a strict
load_state_dict expects it.
"""
import math

import torch
from torch import nn


def sinusoid(length, d):
    """sin on even features, cos on odd ones, frequencies 10000^(-2i/d) (as the Java model)."""
    pos = torch.arange(length, dtype=torch.float64).unsqueeze(1)
    freq = torch.exp(-math.log(10000.0) * torch.arange(0, d, 2, dtype=torch.float64) / d)
    pe = torch.zeros(length, d, dtype=torch.float64)
    pe[:, 0::2] = torch.sin(pos * freq)
    pe[:, 1::2] = torch.cos(pos * freq)[:, : d // 2]
    return pe.float()


class PositionalEncoding(nn.Module):
    def __init__(self, d_model, max_length):
        super().__init__()
        self.register_buffer("pe", sinusoid(max_length, d_model).unsqueeze(0))  # persistent, as the original

    def forward(self, z):
        return z + self.pe[:, : z.size(1)]


class EqTransformerRef(nn.Module):
    def __init__(self, channels=10, d_model=64, n_head=4, num_layers=2, dropout=0.1, max_length=1500,
                 dim_feedforward=2048):
        super().__init__()
        self.embedding = nn.Sequential(nn.Linear(channels, d_model), nn.ReLU())
        self.pos_encoder = PositionalEncoding(d_model, max_length)
        layer = nn.TransformerEncoderLayer(d_model, n_head, dim_feedforward, dropout, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.output_layer = nn.Linear(d_model, channels)

    def forward(self, x):
        z = self.pos_encoder(self.embedding(x))
        return self.output_layer(self.transformer_encoder(z))
