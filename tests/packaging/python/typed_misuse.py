"""mypy must reject each line below (scripts/packaging/python.sh counts the errors): were
mt.Tensor's methods invisible to type checkers (Any), it would accept them all."""
import minitensor as mt

t = mt.zeros(2, 3)
t.no_such_method()  # a method Tensor does not have
t.exp(1)  # a generated method given an argument it does not take
t.sum(keepdim="yes")  # a str for a bool
width: str = t.shape  # a tuple is not a str
