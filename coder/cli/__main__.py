from coder.cli import app

app(prog_name="coder")
