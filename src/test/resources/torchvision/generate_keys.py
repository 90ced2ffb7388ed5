"""Writes torchvision's state_dict keys for resnet18, resnet34 and mobilenet_v2, in order.

A transcription of torchvision's module definitions (resnet.py, mobilenetv2.py): modules register
children in __init__ order, and state_dict lists a module's own parameters, then its buffers, then
its children's, depth first. Run from this folder: python3 generate_keys.py
"""


def conv():
    return [("weight",)]


def bn():
    return [("weight",), ("bias",), ("running_mean",), ("running_var",), ("num_batches_tracked",)]


def linear():
    return [("weight",), ("bias",)]


def keys(prefix, module):
    out = []
    for item in module:
        if len(item) == 1:
            out.append(prefix + item[0])
        else:
            name, child = item
            out += keys(prefix + name + ".", child)
    return out


def basic_block(downsample):
    m = [("conv1", conv()), ("bn1", bn()), ("relu", []), ("conv2", conv()), ("bn2", bn())]
    if downsample:
        m.append(("downsample", [("0", conv()), ("1", bn())]))
    return m


def resnet(layers):
    m = [("conv1", conv()), ("bn1", bn()), ("relu", []), ("maxpool", [])]
    inplanes = 64
    for i, (planes, n) in enumerate(zip([64, 128, 256, 512], layers)):
        stride = 1 if i == 0 else 2
        blocks = []
        for b in range(n):
            s = stride if b == 0 else 1
            blocks.append((str(b), basic_block(b == 0 and (s != 1 or inplanes != planes))))
            inplanes = planes
        m.append(("layer%d" % (i + 1), blocks))
    m += [("avgpool", []), ("fc", linear())]
    return m


def conv_bn_act():
    return [("0", conv()), ("1", bn()), ("2", [])]


def mobilenet_v2():
    features = [("0", conv_bn_act())]
    for t, c, n, s in [[1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1]]:
        for i in range(n):
            layers = []
            if t != 1:
                layers.append(conv_bn_act())
            layers.append(conv_bn_act())
            layers.append(conv())
            layers.append(bn())
            features.append((str(len(features)), [("conv", [(str(j), l) for j, l in enumerate(layers)])]))
    features.append((str(len(features)), conv_bn_act()))
    return [("features", features), ("classifier", [("0", []), ("1", linear())])]


if __name__ == "__main__":
    for name, m in [("resnet18", resnet([2, 2, 2, 2])), ("resnet34", resnet([3, 4, 6, 3])), ("mobilenet_v2", mobilenet_v2())]:
        k = keys("", m)
        with open(name + ".keys", "w") as f:
            f.write("\n".join(k) + "\n")
        print(name, len(k))
