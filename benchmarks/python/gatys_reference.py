"""PyTorch reference for `pnpm bench` (benchmark-only; the product never needs Python).

The TensorFlow tutorial's Gatys algorithm in PyTorch on the same VGG19 weights as Pastiche (read
from the tfjs uint8 shards in PASTICHE_MODELS_DIR/vgg19-notop-uint8), on CPU:

  speed --size N [--height H] --iterations K
                                  seconds per Adam iteration (median after one warm-up step) at
                                  N×N (or N wide, H high), as one JSON line: {"seconds": …, "gflop": …, "threads": …}
  score --content C --style S --image O [O …] [--size 512]
                                  the independent scorer of issue #12: J = 1e4·content + 1e-2·style
                                  of each image O as written (content MSE at block5_conv2 against C
                                  resized to O's size; style: mean over block1..5_conv1 of the MSE of
                                  Gram/(H·W) against S at `size` on its longer side; no TV), one JSON
                                  line per image.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

CONV_LAYERS = [
    ("block1_conv1", 3, 64), ("block1_conv2", 64, 64), "pool",
    ("block2_conv1", 64, 128), ("block2_conv2", 128, 128), "pool",
    ("block3_conv1", 128, 256), ("block3_conv2", 256, 256), ("block3_conv3", 256, 256), ("block3_conv4", 256, 256), "pool",
    ("block4_conv1", 256, 512), ("block4_conv2", 512, 512), ("block4_conv3", 512, 512), ("block4_conv4", 512, 512), "pool",
    ("block5_conv1", 512, 512), ("block5_conv2", 512, 512),
]
CONTENT_LAYERS = ["block5_conv2"]
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
BGR_MEANS = torch.tensor([103.939, 116.779, 123.68]).view(1, 3, 1, 1)


def load_weights(models_dir):
    """Dequantised VGG19 conv weights from the tfjs layers model (value = q·scale + min)."""
    d = os.path.join(models_dir, "vgg19-notop-uint8")
    with open(os.path.join(d, "model.json")) as f:
        manifest = json.load(f)["weightsManifest"]
    weights = {}
    for group in manifest:
        data = b"".join(open(os.path.join(d, p), "rb").read() for p in group["paths"])
        offset = 0
        for w in group["weights"]:
            n = int(np.prod(w["shape"]))
            q = w.get("quantization")
            if q and q["dtype"] == "uint8":
                values = np.frombuffer(data, np.uint8, n, offset).astype(np.float32) * q["scale"] + q["min"]
                offset += n
            else:
                values = np.frombuffer(data, np.float32, n, offset)
                offset += 4 * n
            weights[w["name"]] = values.reshape(w["shape"])
    return weights


class Vgg:
    """VGG19 up to block5_conv2 (NCHW, the PyTorch default layout), returning the wanted activations."""

    def __init__(self, weights):
        self.convs = {}
        for layer in CONV_LAYERS:
            if layer == "pool":
                continue
            name = layer[0]
            k = torch.from_numpy(np.ascontiguousarray(weights[f"{name}/kernel"].transpose(3, 2, 0, 1)))
            self.convs[name] = (k, torch.from_numpy(weights[f"{name}/bias"].copy()))

    def __call__(self, rgb01, wanted):
        h = rgb01.flip(1) * 255 - BGR_MEANS  # Keras "caffe": RGB→BGR, ×255, minus the means
        out = {}
        for layer in CONV_LAYERS:
            if layer == "pool":
                h = F.max_pool2d(h, 2, 2)
                continue
            k, b = self.convs[layer[0]]
            h = F.relu(F.conv2d(h, k, b, padding=1))
            if layer[0] in wanted:
                out[layer[0]] = h
                if len(out) == len(wanted):
                    break
        return out


def gram(f):
    _, c, h, w = f.shape
    flat = f.reshape(c, h * w)
    return flat @ flat.t() / (h * w)


def losses(vgg, image, content_targets, style_targets):
    feats = vgg(image, set(CONTENT_LAYERS + STYLE_LAYERS))
    content = sum(F.mse_loss(feats[l], content_targets[l]) for l in CONTENT_LAYERS) / len(CONTENT_LAYERS)
    style = sum(F.mse_loss(gram(feats[l]), style_targets[l]) for l in STYLE_LAYERS) / len(STYLE_LAYERS)
    return content, style


def total_variation(x):
    return (x[:, :, 1:, :] - x[:, :, :-1, :]).abs().sum() + (x[:, :, :, 1:] - x[:, :, :, :-1]).abs().sum()


def conv_gflop(height, width):
    """Forward multiply-adds ×2 of the convolutions up to block5_conv2 at height×width."""
    flop, h, w = 0, height, width
    for layer in CONV_LAYERS:
        if layer == "pool":
            h, w = h // 2, w // 2
        else:
            flop += 2 * 9 * layer[1] * layer[2] * h * w
    return flop / 1e9


def targets(vgg, content, style):
    with torch.no_grad():
        c = vgg(content, set(CONTENT_LAYERS))
        s = {l: gram(f) for l, f in vgg(style, set(STYLE_LAYERS)).items()}
    return c, s


def speed(args, vgg):
    g = torch.Generator().manual_seed(0)
    height = args.height or args.size
    content = torch.rand(1, 3, height, args.size, generator=g)
    style = torch.rand(1, 3, height, args.size, generator=g)
    content_t, style_t = targets(vgg, content, style)
    image = content.clone().requires_grad_(True)
    # The tutorial's Adam (Keras' rule: ε added to √v, lr·√(1−β₂ᵗ)/(1−β₁ᵗ)).
    lr, b1, b2, eps = 0.02, 0.99, 0.999, 0.1
    m = torch.zeros_like(image)
    v = torch.zeros_like(image)
    times = []
    for t in range(1, args.iterations + 2):
        t0 = time.perf_counter()
        c, s = losses(vgg, image, content_t, style_t)
        loss = 1e4 * c + 1e-2 * s + 30 * total_variation(image)
        (grad,) = torch.autograd.grad(loss, image)
        with torch.no_grad():
            m.mul_(b1).add_(grad, alpha=1 - b1)
            v.mul_(b2).addcmul_(grad, grad, value=1 - b2)
            alpha = lr * (1 - b2**t) ** 0.5 / (1 - b1**t)
            image.sub_(alpha * m / (v.sqrt() + eps)).clamp_(0, 1)
        loss.item()  # the one read-back per iteration, as Pastiche's loop does
        if t > 1:
            times.append(time.perf_counter() - t0)
    print(json.dumps({"seconds": statistics.median(times), "gflop": 2 * conv_gflop(height, args.size), "threads": torch.get_num_threads(), "torch": torch.__version__}))


def load_image(path, longest=None, size=None):
    from PIL import Image

    im = Image.open(path).convert("RGB")
    if size is not None:
        im = im.resize(size, Image.BICUBIC)
    elif longest is not None:
        scale = longest / max(im.size)
        im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.BICUBIC)
    return torch.from_numpy(np.asarray(im, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0).contiguous()


def score(args, vgg):
    style = load_image(args.style, longest=args.size)
    with torch.no_grad():
        style_t = {l: gram(f) for l, f in vgg(style, set(STYLE_LAYERS)).items()}
    content_t = {}
    for path in args.image:
        image = load_image(path)
        size = (image.shape[3], image.shape[2])
        if size not in content_t:
            with torch.no_grad():
                content_t[size] = vgg(load_image(args.content, size=size), set(CONTENT_LAYERS))
        with torch.no_grad():
            c, s = losses(vgg, image, content_t[size], style_t)
        print(json.dumps({"image": path, "J": 1e4 * c.item() + 1e-2 * s.item(), "content": 1e4 * c.item(), "style": 1e-2 * s.item()}), flush=True)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    sp = sub.add_parser("speed")
    sp.add_argument("--size", type=int, default=256)
    sp.add_argument("--iterations", type=int, default=4)
    sp.add_argument("--height", type=int, default=0, help="image height (default: --size, square)")
    sc = sub.add_parser("score")
    sc.add_argument("--content", required=True)
    sc.add_argument("--style", required=True)
    sc.add_argument("--image", required=True, nargs="+")
    sc.add_argument("--size", type=int, default=512)
    args = p.parse_args()
    models = os.environ.get("PASTICHE_MODELS_DIR")
    if not models:
        sys.exit("PASTICHE_MODELS_DIR is not set (the VGG19 weights are read from there)")
    vgg = Vgg(load_weights(models))
    speed(args, vgg) if args.mode == "speed" else score(args, vgg)


if __name__ == "__main__":
    main()
