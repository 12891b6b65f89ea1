import torch


def relu(x):
    return torch.clamp(x, min=0.0)


def sigmoid(x):
    return 1.0 / (1.0 + torch.exp(-x))


class MLP(torch.nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = torch.nn.Linear(n_in, n_hidden)
        self.fc2 = torch.nn.Linear(n_hidden, n_out)

    def forward(self, x):
        return sigmoid(self.fc2(relu(self.fc1(x))))
