"""The generated text of each block of a Markdown handout: the lines between a block's
`<!-- nbrun: … -->` marker (and the blank line after it) and `<!-- /nbrun -->`, in order.
A block that shows nothing (a data set with `preview: 0`) is left out: the kernel gives it
no Markdown output."""


def handout_blocks(path):
    blocks, current = [], None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("<!-- nbrun: ") and current is None:
            current = []
        elif line == "<!-- /nbrun -->" and current is not None:
            blocks.append("\n".join(current[1:]))
            current = None
        elif current is not None:
            current.append(line)
    return [block for block in blocks if block]
