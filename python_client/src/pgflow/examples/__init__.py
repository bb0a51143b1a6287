"""The critique's examples (1.1, 2.1, 2.2, 2.3, 2.8) in the pgflow DSL.

Each module defines one flow named ``flow``; deploy and run them with e.g.
``pgflow deploy pgflow.examples.parallel_analysis:flow``. The handlers stand in
for real work (no network), so the examples run anywhere.
"""
