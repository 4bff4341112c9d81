# Thin wrappers over scripts/ (the README's two commands are the scripts themselves).
.PHONY: run test setup lint bench-seed

run:
	./scripts/run.sh

test:
	./scripts/test.sh

setup:
	bash scripts/setup.sh

lint:
	.venv/bin/ruff check . && .venv/bin/ruff format --check .

bench-seed:
	.venv/bin/python bench/seed_national.py
