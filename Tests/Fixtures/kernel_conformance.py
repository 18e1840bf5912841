"""The Jupyter project's kernel conformance suite (jupyter_kernel_test) run on the nbrun
kernel, with a sample for every feature the kernel offers. The kernelspec must be on
JUPYTER_PATH. Run: python -m unittest kernel_conformance -v

Not offered, so their tests skip: stdout (the directive language prints nothing but
displays), execute_result (results are display_data, as in the handout), the pager,
clear_output, history, and the IOPub welcome message (protocol 5.4)."""
import unittest

import jupyter_kernel_test as jkt

MODEL = "model hk\ninputs: 2\nlayer: 2 sigmoid\nlayer: 1 sigmoid\n"


class NBRunKernelTests(jkt.KernelTests):
    kernel_name = "nbrun"
    language_name = "nbrun"
    file_extension = ".md"

    completion_samples = [
        {"text": "forw", "matches": ["forward"]},
        {"text": "train hk\noptimizer: ad", "matches": ["adagrad", "adam", "adadelta"]},
        {"text": "model m\nlay", "matches": ["layer: "]},
    ]
    complete_code_samples = [MODEL + "\n", "```forward hk\ninput: 1 0\n```", "---\nseed: 7\n---"]
    incomplete_code_samples = ["```model hk\ninputs: 2", "---\nseed: 7", "model hk\ninputs: 2"]
    code_display_data = [
        {"code": MODEL, "mime": "text/markdown"},
        {"code": MODEL, "mime": "text/html"},
        {"code": MODEL, "mime": "text/plain"},
    ]
    code_generate_error = "model hk\ninputs: 2\nlayer: 2 sigmod\n"
    code_inspect_sample = "train hk\noptimizer"


if __name__ == "__main__":
    unittest.main()
