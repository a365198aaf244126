"""The reference architecture in PyTorch, written from REFERENCE.md (the original's code is not public).

Parameter names are the original's and the Java port's (`eq torch export` / `eq torch import` move weights
between them): embedding.0, transformer_encoder.layers.N.{self_attn,linear1,linear2,norm1,norm2}, output_layer.
The positional table is a non-persistent buffer, so state_dict() holds exactly the learned tensors.
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


class EqTransformerRef(nn.Module):
    def __init__(self, channels=10, d_model=64, n_head=4, num_layers=2, dropout=0.1, max_length=1500,
                 dim_feedforward=2048):
        super().__init__()
        self.embedding = nn.Sequential(nn.Linear(channels, d_model), nn.ReLU())
        self.register_buffer("positional_encoding", sinusoid(max_length, d_model), persistent=False)
        layer = nn.TransformerEncoderLayer(d_model, n_head, dim_feedforward, dropout, batch_first=True)
        self.transformer_encoder = nn.TransformerEncoder(layer, num_layers, enable_nested_tensor=False)
        self.output_layer = nn.Linear(d_model, channels)

    def forward(self, x):
        z = self.embedding(x) + self.positional_encoding[: x.size(1)]
        return self.output_layer(self.transformer_encoder(z))
