import minitensor as mt
x = mt.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
loss = (x @ x.T).relu().sum()
loss.backward()
print(loss.item(), x.grad.tolist())
