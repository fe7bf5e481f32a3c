"""The reader's int8 graph specialised to one unpadded unit per run (scripts/train_reader.py specialise_graph):
what it removes reads bitwise the same, what it does not understand stops it, and the shipped graph has it done."""
from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import onnx
import onnxruntime
import pytest
from onnx import TensorProto, helper, numpy_helper

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

from train_reader import specialise_graph  # noqa: E402

SHIPPED = ROOT / "daemon" / "smallprint" / "engine" / "models" / "reader" / "reader.int8.onnx"
HEADS, HEAD_SIZE = 12, 32
LAYER = "/inner/encoder/encoder/layer.0/attention/self"


def _const(name: str, values, dtype=np.int64) -> onnx.NodeProto:
    return helper.make_node("Constant", [], [name], name=name,
                            value=numpy_helper.from_array(np.array(values, dtype=dtype), name))


def _dimension(nodes: list, tensor: str, index: int, name: str) -> str:
    """Shape(tensor)[index] as a 1-element tensor, as torch's exporter builds it."""
    nodes += [helper.make_node("Shape", [tensor], [f"{name}/shape"], name=f"{name}/Shape"),
              _const(f"{name}/index", index),
              helper.make_node("Gather", [f"{name}/shape", f"{name}/index"], [f"{name}/scalar"], name=f"{name}/Gather",
                               axis=0),
              _const(f"{name}/axes", [0]),
              helper.make_node("Unsqueeze", [f"{name}/scalar", f"{name}/axes"], [name], name=f"{name}/Unsqueeze")]
    return name


def attention_layer(last_reshape_target: str = "tokens") -> onnx.ModelProto:
    """One self-attention of the exported form: reshapes with targets built at run time, the mask added to the
    scores through Where(mask, 0, -inf), a NaN guard after the softmax."""
    nodes: list = []
    batch = _dimension(nodes, "hidden", 0, f"{LAYER}/batch")
    tokens = _dimension(nodes, "hidden", 1, f"{LAYER}/tokens")
    nodes += [_const(f"{LAYER}/minus_one", [-1]), _const(f"{LAYER}/head_size", [HEAD_SIZE]),
              helper.make_node("Concat", [batch, tokens, f"{LAYER}/minus_one", f"{LAYER}/head_size"],
                               [f"{LAYER}/split"], name=f"{LAYER}/Concat", axis=0),
              helper.make_node("Reshape", ["hidden", f"{LAYER}/split"], [f"{LAYER}/heads"], name=f"{LAYER}/Reshape"),
              helper.make_node("Transpose", [f"{LAYER}/heads"], [f"{LAYER}/q"], name=f"{LAYER}/Transpose",
                               perm=[0, 2, 1, 3]),
              helper.make_node("Transpose", [f"{LAYER}/heads"], [f"{LAYER}/kt"], name=f"{LAYER}/Transpose_1",
                               perm=[0, 2, 3, 1]),
              helper.make_node("MatMul", [f"{LAYER}/q", f"{LAYER}/kt"], [f"{LAYER}/scores"], name=f"{LAYER}/MatMul"),
              # the mask: [batch, tokens] -> [batch, 1, 1, tokens] booleans -> 0 where attended, -inf elsewhere
              helper.make_node("Cast", ["attention_mask"], ["mask/bool"], name="/inner/encoder/Cast", to=TensorProto.BOOL),
              _const("mask/axes", [1, 2]),
              helper.make_node("Unsqueeze", ["mask/bool", "mask/axes"], ["mask/expanded"], name="/inner/encoder/Unsqueeze"),
              _const(f"{LAYER}/zero", 0.0, np.float32), _const(f"{LAYER}/minus_inf", -np.inf, np.float32),
              helper.make_node("Where", ["mask/expanded", f"{LAYER}/zero", f"{LAYER}/minus_inf"], [f"{LAYER}/added"],
                               name=f"{LAYER}/Where"),
              helper.make_node("Add", [f"{LAYER}/scores", f"{LAYER}/added"], [f"{LAYER}/masked"], name=f"{LAYER}/Add"),
              helper.make_node("Softmax", [f"{LAYER}/masked"], [f"{LAYER}/probabilities"], name=f"{LAYER}/Softmax",
                               axis=-1),
              helper.make_node("IsNaN", [f"{LAYER}/probabilities"], [f"{LAYER}/nan"], name=f"{LAYER}/IsNaN"),
              _const(f"{LAYER}/zero_1", 0.0, np.float32),
              helper.make_node("Where", [f"{LAYER}/nan", f"{LAYER}/zero_1", f"{LAYER}/probabilities"],
                               [f"{LAYER}/guarded"], name=f"{LAYER}/Where_1"),
              helper.make_node("MatMul", [f"{LAYER}/guarded", f"{LAYER}/q"], [f"{LAYER}/context"],
                               name=f"{LAYER}/MatMul_1")]
    # [batch, -1, tokens, head size] of the context [batch, heads, tokens, head size]: a reshape to its own shape
    context_batch = _dimension(nodes, f"{LAYER}/context", 0, f"{LAYER}/context_batch")
    if last_reshape_target == "tokens":
        third = _dimension(nodes, f"{LAYER}/q", 2, f"{LAYER}/context_tokens")
    else:  # a form specialise_graph does not know
        third = _dimension(nodes, f"{LAYER}/q", 1, f"{LAYER}/context_heads")
    head = _dimension(nodes, f"{LAYER}/q", 3, f"{LAYER}/context_head")
    nodes += [helper.make_node("Concat", [context_batch, f"{LAYER}/minus_one", third, head], [f"{LAYER}/same"],
                               name=f"{LAYER}/Concat_1", axis=0),
              helper.make_node("Reshape", [f"{LAYER}/context", f"{LAYER}/same"], [f"{LAYER}/context_again"],
                               name=f"{LAYER}/Reshape_3"),
              helper.make_node("Transpose", [f"{LAYER}/context_again"], [f"{LAYER}/by_token"],
                               name=f"{LAYER}/Transpose_3", perm=[0, 2, 1, 3]),
              helper.make_node("Concat", [batch, tokens, f"{LAYER}/minus_one"], [f"{LAYER}/merge"],
                               name=f"{LAYER}/Concat_2", axis=0),
              helper.make_node("Reshape", [f"{LAYER}/by_token", f"{LAYER}/merge"], ["output"], name=f"{LAYER}/Reshape_4")]
    graph = helper.make_graph(
        nodes, "attention",
        [helper.make_tensor_value_info("hidden", TensorProto.FLOAT, ["batch", "tokens", HEADS * HEAD_SIZE]),
         helper.make_tensor_value_info("attention_mask", TensorProto.INT64, ["batch", "tokens"])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", "tokens", HEADS * HEAD_SIZE])])
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    onnx.checker.check_model(model)
    return model


def read(model: onnx.ModelProto, hidden: np.ndarray) -> np.ndarray:
    session = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return session.run(None, {"hidden": hidden, "attention_mask": np.ones(hidden.shape[:2], dtype=np.int64)})[0]


@pytest.mark.parametrize("tokens", [1, 7, 40])
def test_an_unpadded_unit_reads_bitwise_the_same(tokens):
    hidden = np.random.default_rng(tokens).normal(size=(1, tokens, HEADS * HEAD_SIZE)).astype(np.float32)
    model = attention_layer()
    before = read(model, hidden)
    removed, changes = specialise_graph(model)
    onnx.checker.check_model(model)
    assert changes == {"attention mask additions": 1, "NaN guards after softmax": 1,
                       "reshape targets made constant": 3}
    assert removed > 20  # the mask's construction and every run-time shape computation went with them
    ops = [node.op_type for node in model.graph.node]
    assert "IsNaN" not in ops and "Where" not in ops and "Shape" not in ops and "Gather" not in ops
    assert np.array_equal(read(model, hidden), before)


def test_a_second_pass_finds_nothing_to_remove():
    model = attention_layer()
    specialise_graph(model)
    assert specialise_graph(model) == (0, {})


def test_a_reshape_of_a_form_it_does_not_know_stops_it():
    with pytest.raises(ValueError, match="Reshape_3 reshapes to a target of another form"):
        specialise_graph(attention_layer(last_reshape_target="heads"))


def test_the_shipped_graph_is_specialised():
    """scripts/train_reader.py export does it, and `specialise` did it to the shipped file (model card)."""
    model = onnx.load(str(SHIPPED))
    assert specialise_graph(model) == (0, {})
    ops = [node.op_type for node in model.graph.node]
    assert "IsNaN" not in ops and "Where" not in ops
    assert ops.count("Shape") <= 1  # the position ids' length, outside the attention
