import torch
from solution import MLP, relu, sigmoid


def make():
    torch.manual_seed(0)
    return MLP(4, 16, 1)


def test_shape():
    assert make()(torch.randn(8, 4)).shape == (8, 1)


def test_forward_matches_reference():
    model = make()
    x = torch.randn(5, 4)
    expected = torch.sigmoid(model.fc2(torch.relu(model.fc1(x))))
    torch.testing.assert_close(model(x), expected)


def test_relu():
    x = torch.linspace(-3, 3, 13)
    torch.testing.assert_close(relu(x), torch.relu(x))


def test_sigmoid():
    x = torch.linspace(-5, 5, 11)
    torch.testing.assert_close(sigmoid(x), torch.sigmoid(x))


def test_sgd_reduces_loss():
    model = make()
    x, y = torch.randn(64, 4), torch.rand(64, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    loss_fn = torch.nn.MSELoss()
    first = loss_fn(model(x), y).item()
    for _ in range(20):
        optimizer.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        optimizer.step()
    assert loss_fn(model(x), y).item() < first
