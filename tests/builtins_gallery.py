"""Known submissions of the built-ins exercise and the verdict each must get.

As `gallery`: each entry is the reference with some functions replaced, and the checks it must
fail, each with words its feedback must contain; every other check keeps full points.
"""

import textwrap

from gallery import Entry, patched

from autograder.grading import registry

EXERCISE = registry.get("linreg_builtins")
REFERENCE = EXERCISE.reference_path
ALL_CHECKS = tuple(c.id for c in EXERCISE.checks)


def entry(name: str, *, fails: dict[str, str] | None = None, mistake: str = "",
          **functions: str) -> Entry:
    """The reference with `functions` (name -> source) in place of its own."""
    source = patched(REFERENCE, {n: textwrap.dedent(s) for n, s in functions.items()})
    return Entry(name, source=source, fails=fails or {}, mistake=mistake)


def only(*ids: str, words: str) -> dict[str, str]:
    return {check: words for check in ids}


def fit_with(body: str) -> str:
    """A fit whose loop over the loader is `body` (indented as inside the epoch loop)."""
    return ("def fit(num_epochs, model, loss_fn, opt, loader):\n"
            "    model.train()\n    history = []\n    for _ in range(num_epochs):\n"
            "        losses = []\n" + textwrap.indent(textwrap.dedent(body).strip("\n"), " " * 8)
            + "\n        history.append(sum(losses) / len(losses))\n    return history\n")


LOADER = ("make_loader.batches", "make_loader.hidden")
MODEL = ("make_model.layer", "make_model.hidden")
HIDDEN_RUN = ("fit.hidden", "training.converges")
"""A run that trains otherwise than the reference ends elsewhere, here and in the lesson."""

CORRECT = [
    Entry("reference", source=REFERENCE.read_text()),
    entry("zero_grad_before_backward", fit=fit_with("""
        for xb, yb in loader:
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    """)),
    entry("model_zero_grad", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            model.zero_grad()
            losses.append(float(loss))
    """)),
    entry("sequential_model", make_model="""
        def make_model(num_inputs, num_outputs):
            return nn.Sequential(nn.Linear(num_inputs, num_outputs))
    """),
    entry("keyword_loader", make_loader="""
        def make_loader(inputs, targets, batch_size):
            return DataLoader(TensorDataset(inputs, targets), batch_size=batch_size, shuffle=True)
    """),
    entry("evaluate_all_at_once", evaluate="""
        def evaluate(model, loss_fn, loader):
            model.eval()
            with torch.no_grad():
                preds = torch.cat([model(xb) for xb, _ in loader])
                targets = torch.cat([yb for _, yb in loader])
                return loss_fn(preds, targets).item()
    """),
    entry("evaluate_inference_mode", evaluate="""
        def evaluate(model, loss_fn, loader):
            model.eval()
            total, count = 0.0, 0
            with torch.inference_mode():
                for xb, yb in loader:
                    total += loss_fn(model(xb), yb).item() * len(xb)
                    count += len(xb)
            return total / count
    """),
    entry("history_as_tensor_means", fit="""
        def fit(num_epochs, model, loss_fn, opt, loader):
            model.train()
            history = []
            for _ in range(num_epochs):
                losses = []
                for xb, yb in loader:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    opt.step()
                    opt.zero_grad()
                    losses.append(loss.detach())
                history.append(torch.stack(losses).mean().item())
            return history
    """),
]

MISTAKES = [
    entry("dataset_not_loader", make_loader="""
        def make_loader(inputs, targets, batch_size):
            return TensorDataset(inputs, targets)
    """, fails=only(*LOADER, words="single samples") | only(
        "make_loader.shuffled", words="batches are wrong"), mistake="dataset_not_loader"),
    entry("batch_size_ignored", make_loader="""
        def make_loader(inputs, targets, batch_size):
            return DataLoader(TensorDataset(inputs, targets), shuffle=True)
    """, fails=only(*LOADER, words="batch_size=") | only(
        "make_loader.shuffled", words="batches are wrong"), mistake="batch_size_ignored"),
    entry("pairs_broken", make_loader="""
        def make_loader(inputs, targets, batch_size):
            order = torch.randperm(len(inputs))
            return DataLoader(TensorDataset(inputs[order], targets), batch_size, shuffle=True)
    """, fails=only(*LOADER, words="shuffle the pairs together") | only(
        "make_loader.shuffled", words="batches are wrong") | only(
        "training.converges", words="fix make_loader.batches first"), mistake="pairs_broken"),
    entry("not_shuffled", make_loader="""
        def make_loader(inputs, targets, batch_size):
            return DataLoader(TensorDataset(inputs, targets), batch_size)
    """, fails=only("make_loader.shuffled", words="shuffle=True"), mistake="not_shuffled"),
    entry("sizes_swapped", make_model="""
        def make_model(num_inputs, num_outputs):
            return nn.Linear(num_outputs, num_inputs)
    """, fails=only(*MODEL, words="inputs first") | only(
        "training.converges", words="make_model"), mistake="sizes_swapped"),
    entry("no_bias", make_model="""
        def make_model(num_inputs, num_outputs):
            return nn.Linear(num_inputs, num_outputs, bias=False)
    """, fails=only(*MODEL, words="no bias") | only(
        "training.converges", words="fix make_model.layer first"), mistake="no_bias"),
    entry("not_a_module", make_model="""
        def make_model(num_inputs, num_outputs):
            return torch.randn(num_outputs, num_inputs, requires_grad=True)
    """, fails=only(*MODEL, words="not a model") | only("training.converges", words="raised"),
        mistake="not_a_module"),
    entry("frozen_parameters", make_model="""
        def make_model(num_inputs, num_outputs):
            return nn.Linear(num_inputs, num_outputs).requires_grad_(False)
    """, fails=only(*MODEL, words="do not require gradients") | only(
        "training.converges", words="")),
    entry("hard_coded_sizes", make_model="""
        def make_model(num_inputs, num_outputs):
            return nn.Linear(3, 2)
    """, fails=only("make_model.hidden", words="hard-coded"), mistake="hard_coded"),
    entry("zero_grad_forgotten", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    """), fails=only("fit.zero_grad", words="never resets") | only(
        *HIDDEN_RUN, words=""), mistake="zero_grad_forgotten"),
    entry("zero_grad_before_step", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.zero_grad()
            opt.step()
            losses.append(loss.item())
    """), fails=only("fit.zero_grad", words="between loss.backward() and opt.step()") | only(
        *HIDDEN_RUN, words=""), mistake="zero_grad_before_step"),
    entry("zero_grad_once_per_epoch", fit=fit_with("""
        opt.zero_grad()
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            losses.append(loss.item())
    """), fails=only("fit.zero_grad", words="once per epoch") | only("fit.hidden", words=""),
        mistake="zero_grad_once_per_epoch"),
    entry("step_once_per_epoch", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            losses.append(loss.item())
        opt.step()
        opt.zero_grad()
    """), fails=only("fit.step", words="once per batch") | only(
        "fit.zero_grad", words="fix fit.step first") | only("fit.hidden", words=""),
        mistake="step_once_per_epoch"),
    entry("step_missing", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.zero_grad()
            losses.append(loss.item())
    """), fails=only("fit.step", words="never calls opt.step()") | only(
        "fit.zero_grad", words="fix fit.step first") | only(*HIDDEN_RUN, words=""),
        mistake="step_missing"),
    entry("step_twice", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
    """), fails=only("fit.step", words="once per batch") | only(
        "fit.zero_grad", words="fix fit.step first") | only("fit.hidden", words=""),
        mistake="step_twice"),
    entry("step_before_backward", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            opt.step()
            loss.backward()
            opt.zero_grad()
            losses.append(loss.item())
    """), fails=only("fit.step", words="before loss.backward()") | only(
        "fit.zero_grad", words="fix fit.step first") | only(*HIDDEN_RUN, words=""),
        mistake="step_before_backward"),
    entry("no_train_mode", fit="""
        def fit(num_epochs, model, loss_fn, opt, loader):
            history = []
            for _ in range(num_epochs):
                losses = []
                for xb, yb in loader:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    opt.step()
                    opt.zero_grad()
                    losses.append(loss.item())
                history.append(sum(losses) / len(losses))
            return history
    """, fails=only("fit.train_mode", words="model.train()"), mistake="no_train_mode"),
    entry("last_batch_loss", fit="""
        def fit(num_epochs, model, loss_fn, opt, loader):
            model.train()
            history = []
            for _ in range(num_epochs):
                for xb, yb in loader:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    opt.step()
                    opt.zero_grad()
                history.append(loss.item())
            return history
    """, fails=only("fit.losses", words="last batch loss"), mistake="last_batch_loss"),
    entry("summed_batch_losses", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
        losses = [sum(losses)]
    """), fails=only("fit.losses", words="summed"), mistake="summed_batch_losses"),
    entry("nothing_returned", fit="""
        def fit(num_epochs, model, loss_fn, opt, loader):
            model.train()
            for _ in range(num_epochs):
                for xb, yb in loader:
                    loss = loss_fn(model(xb), yb)
                    loss.backward()
                    opt.step()
                    opt.zero_grad()
    """, fails=only("fit.losses", words="returned nothing"), mistake="no_return"),
    entry("nan_losses", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(float("nan"))
    """), fails=only("fit.losses", words="NaN"), mistake="nan_values"),
    entry("unweighted_mean", evaluate="""
        def evaluate(model, loss_fn, loader):
            model.eval()
            with torch.no_grad():
                losses = [loss_fn(model(xb), yb).item() for xb, yb in loader]
            return sum(losses) / len(losses)
    """, fails=only("evaluate.values", words="weight each"), mistake="unweighted_mean"),
    entry("grad_enabled_in_evaluate", evaluate="""
        def evaluate(model, loss_fn, loader):
            model.eval()
            total, count = 0.0, 0
            for xb, yb in loader:
                total += loss_fn(model(xb), yb).item() * len(xb)
                count += len(xb)
            return total / count
    """, fails=only("evaluate.no_grad", words="torch.no_grad()"),
        mistake="grad_enabled_in_evaluate"),
    entry("no_eval_mode", evaluate="""
        def evaluate(model, loss_fn, loader):
            total, count = 0.0, 0
            with torch.no_grad():
                for xb, yb in loader:
                    total += loss_fn(model(xb), yb).item() * len(xb)
                    count += len(xb)
            return total / count
    """, fails=only("evaluate.no_grad", words="model.eval()"), mistake="no_eval_mode"),
]

BROKEN = [
    Entry("stubs", source=(REFERENCE.parent.parent.parent.parent.parent / "assignments" /
                           "linreg_builtins" / "linreg_builtins.py").read_text(),
          fails=only(*ALL_CHECKS, words="not attempted")),
    entry("fit_raises", fit="""
        def fit(num_epochs, model, loss_fn, opt, loader):
            raise ValueError("no")
    """, fails=only("fit.losses", "fit.zero_grad", "fit.step", "fit.train_mode", "fit.hidden",
                    "training.converges", words="ValueError")),
]

GALLERY = CORRECT + MISTAKES + BROKEN

HOSTILE = [
    entry("forged_step_records", fit=fit_with("""
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            if getattr(opt, "steps", None):  # the grader's records, made to say all is well
                opt.steps[-1] = {k: {"applied": v["fresh"], "fresh": v["fresh"]}
                                 for k, v in opt.steps[-1].items()}
            if hasattr(model, "events"):
                model.events.append("Z")
            losses.append(loss.item())
    """), fails=only("fit.zero_grad", words="do not match") | only(*HIDDEN_RUN, words="")),
    entry("step_replaced_by_a_forgery", fit=fit_with("""
        opt.step = lambda closure=None: model.events.append("S")
        for xb, yb in loader:
            loss = loss_fn(model(xb), yb)
            loss.backward()
            opt.step()
            opt.zero_grad()
            losses.append(loss.item())
    """), fails=only("fit.step", words="not all made by the optimiser") | only(
        "fit.zero_grad", words="fix fit.step first") | only(*HIDDEN_RUN, words="")),
]
HOSTILE += [
    entry("frozen_parameters_that_claim_to_train", make_model="""
        class Claims(nn.Parameter):  # autograd holds False; the class says True
            requires_grad = property(lambda self: True, lambda self, value: None)

        def make_model(num_inputs, num_outputs):
            layer = nn.Linear(num_inputs, num_outputs)
            layer.weight = Claims(layer.weight.detach(), requires_grad=False)
            layer.bias = Claims(layer.bias.detach(), requires_grad=False)
            return layer
    """, fails=only(*MODEL, words="do not require gradients") | only(
        "training.converges", words="")),
]
GALLERY += HOSTILE
