"""Member text for the benchmark: sentences drawn from a small outdoor-gear vocabulary in English and
French, with #hashtags, and their HTML as `kernel.text.render` writes it for such plain text."""
from __future__ import annotations

import random
from html import escape

FIRST = ("Alice", "Bruno", "Chloé", "David", "Emma", "Farid", "Giulia", "Hugo", "Inès", "Jules", "Karim", "Léa",
         "Manon", "Nathan", "Olga", "Paul", "Quentin", "Rose", "Sami", "Théo", "Ugo", "Valérie", "William", "Yasmine",
         "Zoé", "Anna", "Ben", "Clara", "Dylan", "Elise", "Félix", "Gabriel", "Hanna", "Ivan", "Jade", "Lucas")
LAST = ("Martin", "Bernard", "Dubois", "Moreau", "Laurent", "Simon", "Michel", "Lefèvre", "Leroy", "Roux", "Smith",
        "Jones", "Taylor", "Brown", "Wilson", "Evans", "Garcia", "Rossi", "Müller", "Novak", "Kowalski", "Silva")
HASHTAGS = ("hiking", "camping", "trailrunning", "climbing", "bivouac", "gear", "tent", "backpack", "boots", "rain",
            "summit", "lake", "forest", "winter", "summer", "repair", "review", "question", "tips", "sunrise",
            "alps", "pyrenees", "family", "ultralight", "stove", "map", "jacket", "sleepingbag", "weekend", "photo")
WORDS = {
    "en": {
        "subject": ("My new tent", "The waterproof jacket", "This backpack", "The trail map", "Our family stove",
                    "The sleeping bag", "These hiking boots", "The headlamp", "My old rain cover", "The water filter"),
        "verb": ("held up well", "kept me dry", "was too heavy", "survived the storm", "broke after a week",
                 "packed down small", "worked perfectly", "needs a better zip", "felt warm enough", "surprised everyone"),
        "place": ("on the ridge", "near the lake", "in the forest", "during the night", "above the clouds",
                  "on a rainy weekend", "at the summit", "in deep snow", "on the coastal path", "at the campsite"),
        "close": ("Highly recommended.", "Would buy again.", "Any tips?", "Has anyone tried the larger size?",
                  "Photos soon.", "Thanks for the advice!", "What do you think?", "Next trip in June.", "",
                  "Customer support was quick."),
        "idea": ("Add a lighter version of", "Offer spare parts for", "Make a children's size of", "Bring back",
                 "Sell a repair kit for", "Add more colours to", "Design a winter edition of", "Publish a guide for"),
        "thing": ("the trekking poles", "the two-person tent", "the rain jacket", "the day pack", "the camping stove",
                  "the sleeping mat", "the hiking boots", "the water bottle", "the headlamp", "the gaiters"),
    },
    "fr": {
        "subject": ("Ma nouvelle tente", "La veste imperméable", "Ce sac à dos", "La carte du sentier",
                    "Notre réchaud familial", "Le sac de couchage", "Ces chaussures de randonnée", "La lampe frontale",
                    "Ma vieille housse de pluie", "Le filtre à eau"),
        "verb": ("a très bien tenu", "m'a gardé au sec", "était trop lourde", "a survécu à l'orage",
                 "a cassé après une semaine", "se range facilement", "a parfaitement marché",
                 "mérite une meilleure fermeture", "était assez chaude", "a surpris tout le monde"),
        "place": ("sur la crête", "près du lac", "dans la forêt", "pendant la nuit", "au-dessus des nuages",
                  "un week-end de pluie", "au sommet", "dans la neige profonde", "sur le sentier côtier",
                  "au camping"),
        "close": ("Je recommande.", "J'en rachèterais.", "Des conseils ?", "Quelqu'un a essayé la grande taille ?",
                  "Photos bientôt.", "Merci pour les conseils !", "Qu'en pensez-vous ?", "Prochaine sortie en juin.",
                  "", "Le service client a répondu vite."),
        "idea": ("Proposer une version plus légère de", "Vendre des pièces détachées pour", "Faire une taille enfant de",
                 "Relancer", "Vendre un kit de réparation pour", "Ajouter des couleurs à",
                 "Créer une édition hiver de", "Publier un guide pour"),
        "thing": ("les bâtons de marche", "la tente deux places", "la veste de pluie", "le sac de journée",
                  "le réchaud de camping", "le matelas de sol", "les chaussures de randonnée", "la gourde",
                  "la lampe frontale", "les guêtres"),
    },
}
# Two words that appear together in many posts and ideas: what the benchmark's searches look for.
SEARCHES = ("waterproof jacket", "sleeping bag", "hiking boots", "trail map", "water filter", "tente nouvelle",
            "repair kit", "camping stove")


def sentence(rng: random.Random, language: str) -> str:
    words = WORDS[language]
    return f"{rng.choice(words['subject'])} {rng.choice(words['verb'])} {rng.choice(words['place'])}."


def post_text(rng: random.Random, language: str, question: bool) -> tuple[str, list[str]]:
    """A post's text and its hashtags (lower-case, in order, no repeats)."""
    parts = [sentence(rng, language) for _ in range(rng.randint(1, 3))]
    close = rng.choice(WORDS[language]["close"])
    if question:
        close = "Any advice before I buy?" if language == "en" else "Un conseil avant d'acheter ?"
    if close:
        parts.append(close)
    tags = list(dict.fromkeys(rng.choice(HASHTAGS) for _ in range(rng.choice((0, 0, 1, 1, 2, 3)))))
    body = " ".join(parts + [f"#{tag}" for tag in tags])
    return body, tags


def comment_text(rng: random.Random, language: str) -> str:
    return f"{sentence(rng, language)} {rng.choice(WORDS[language]['close'])}".strip()


def idea_title(rng: random.Random, language: str) -> str:
    words = WORDS[language]
    return f"{rng.choice(words['idea'])} {rng.choice(words['thing'])}"


def html(body: str, tags: list[str] | None = None) -> str:
    """The HTML `kernel.text.render` makes of plain text whose only markup is trailing #hashtags."""
    escaped = escape(body, quote=False)
    for tag in tags or ():
        escaped = escaped.replace(f"#{tag}", f'<a href="/tags/{tag}" class="hashtag" rel="nofollow ugc">#{tag}</a>', 1)
    return f"<p>{escaped}</p>\n"
