"""The baseline: a bare Flask "hello world", served the same way as Tribune."""
from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, World!"
