"""What members and staff say about the feedback demo's ideas: comments, status explanations,
merge notes, and the customers staff voted for. Kept apart from the ideas (demo_feedback_text.py).
"""
from __future__ import annotations

# Keyed (language, about gear?): lines about gear are said only on the product board, the others anywhere.
COMMENTS = {
    ("en", False): ["+1, this would make a big difference for me.", "Voted. My partner has been asking for this for years.",
                    "I emailed support about this last year, glad to see it here.", "Great shout. Adding my vote.",
                    "Agreed, but please keep the current version too: it works for me.", "Been waiting for this since 2022!",
                    "Could you share what's blocking this? Curious about the trade-offs.", "Exactly what I was going to suggest.",
                    "Not sure about this one: is it worth what it would cost?", "Small change, huge difference."],
    ("en", True): ["Yes please! I'd buy it the day it launches.", "Same problem here; I ended up modifying mine myself.",
                   "Would this add much weight? I'd only want it if it stays light.",
                   "This is the one thing stopping me from buying.",
                   "Happy to test a prototype, I walk about 30 km a week.", "Same here, especially in winter.",
                   "Would love to see this in the kids' range too.", "The old version had this and I miss it.",
                   "This would be great for bikepacking too.", "Please make it repairable if you do it."],
    ("fr", False): ["+1, ça changerait tout pour moi.", "Je vote pour, et mon club de rando aussi.",
                    "J'attends ça depuis longtemps !", "Bonne idée, je m'en servirais souvent."],
    ("fr", True): ["Oui ! Je l'achèterais dès la sortie.", "Même problème chez moi, j'ai bricolé une solution en attendant.",
                   "Bonne idée, mais attention au poids.", "Pareil pour moi, surtout en hiver.",
                   "Ça éviterait de racheter du matériel, top."],
}
AFTER_DONE = {
    ("en", False): ["Works great, thank you!", "Thanks for listening to us, Fernhill."],
    ("en", True): ["Just got mine, works great!", "Finally! Ordered today.", "Tested it last weekend in the rain: perfect."],
    ("fr", False): ["Ça marche très bien, merci !", "Merci de nous avoir écoutés !"],
    ("fr", True): ["Reçu hier, c'est parfait !", "Enfin ! Commandé aujourd'hui."],
}
STAFF_COMMENTS = {
    ("en", False): ["Thanks for the detail here, it really helps the {team} make the case.",
                    "We've shared this thread with the {team}. Keep the feedback coming!",
                    "Thanks! Could you tell us more about how you'd use this? It helps us decide."],
    ("en", True): ["Quick question for everyone voting: which sizes would you need most? Reply here.",
                   "Good point about the weight: we'll check it on the next samples.",
                   "Thanks! Could you tell us which trips you'd use this on? It helps us pick materials."],
    ("fr", False): ["Merci pour ces détails, c'est très utile pour {team}.",
                    "Nous avons transmis ce fil à {team}. Continuez à commenter !"],
    ("fr", True): ["Question pour vous tous : quelles tailles vous manquent le plus ?"],
}
AUTHOR_THANKS = {"en": "Thanks for all the votes, everyone! Didn't expect this much support.",
                 "fr": "Merci à tous pour vos votes, je ne m'attendais pas à autant de soutien !"}
TEAMS = {
    "Footwear": ("footwear team", "l'équipe chaussures"), "Jackets & shells": ("shell team", "l'équipe vestes"),
    "Tents": ("tents team", "l'équipe tentes"), "Packs": ("packs team", "l'équipe sacs"),
    "Accessories": ("accessories team", "l'équipe accessoires"), "Shop": ("web team", "l'équipe web"),
    "Account": ("web team", "l'équipe web"), "Mobile app": ("app team", "l'équipe de l'appli"),
    "Repair & care": ("repair team", "l'atelier réparation"), "Materials": ("materials team", "l'équipe matières"),
    "Packaging": ("logistics team", "l'équipe logistique"), "Prototypes": ("design team", "l'équipe design"),
    "Events": ("community team", "l'équipe communauté"), "Collabs": ("community team", "l'équipe communauté"),
}
# Status explanations; the product board adds the GEAR ones (samples and prototypes only make sense there).
EXPLANATIONS = {
    ("under_review", "en"): [
        "Thanks for all the votes! The {team} is looking at this now: we're checking costs and will update this idea "
        "within a few weeks.",
        "This one keeps coming up with our customer service team too. We're reviewing it and will share what we learn.",
        "We're taking a closer look. If you've voted, tell us in the comments how you'd use it: it helps us size the project."],
    ("under_review", "fr"): [
        "Merci pour vos votes ! {Team} étudie la question ; nous reviendrons vers vous d'ici quelques semaines.",
        "Nous regardons cette idée de près. Dites-nous en commentaire comment vous l'utiliseriez !"],
    ("planned", "en"): [
        "Good news: this is planned for {season}. The {team} has it on the roadmap and we'll post progress here.",
        "We're going ahead with this one for {season}. Thank you for making the case so clearly.",
        "Planned for {season}! Your comments shaped the spec, thank you."],
    ("planned", "fr"): [
        "Bonne nouvelle : c'est prévu pour {season}. C'est sur la feuille de route de {team}.",
        "C'est validé pour {season}. Merci à tous pour vos votes et vos retours précis."],
    ("in_progress", "en"): [
        "Work has started: the {team} is on it, and we'll post updates here as it takes shape.",
        "In progress! The {team} is building this now. Target: {season}."],
    ("in_progress", "fr"): ["C'est parti : {team} s'y est mis, nous posterons les avancées ici.",
                            "En cours ! Objectif : {season}."],
    ("done", "en"): [
        "Released in {season}: {note}. Thank you to everyone who voted and commented: this one is yours.",
        "Now available: {note}, since {season}. Tell us how it works for you!"],
    ("done", "fr"): ["Disponible depuis {season} : {note}. Merci à tous pour vos votes !"],
    ("declined", "en"): [
        "Thanks for suggesting this. We've decided not to go ahead: {reason} If things change, we'll reopen it.",
        "We looked at this carefully and won't do it for now: {reason} Thank you for the discussion, it was useful."],
    ("declined", "fr"): [
        "Merci pour l'idée. Nous avons décidé de ne pas la réaliser : {reason} Si les choses changent, nous la rouvrirons."],
}
GEAR = {
    ("in_progress", "en"): [
        "Work has started. The {team} is testing the first samples this month; we'll share photos here soon.",
        "In progress: samples are with our testers in the Alps and the Lake District. Target: {season}."],
    ("in_progress", "fr"): [
        "C'est parti ! {Team} teste les premiers prototypes ce mois-ci.",
        "En cours : les prototypes sont entre les mains de nos testeurs. Objectif : {season}."],
    ("done", "en"): ["Shipped in {season}: {note}. Special thanks to the testers who sent feedback on the samples."],
    ("done", "fr"): ["C'est sorti ({season}) : {note}. Merci aux testeurs pour leurs retours sur les prototypes."],
}
REASONS = {  # (language, product board?)
    ("en", True): ["the extra weight and cost would hurt what most of you love about this product.",
                   "our tests showed it weakens the fabric where it matters most.",
                   "it would need a production line we can't run responsibly at our size."],
    ("fr", True): ["le poids et le coût en plus iraient contre ce que vous aimez dans ce produit.",
                   "nos tests ont montré que cela fragilise le tissu là où il travaille le plus."],
    ("en", False): ["our partners can't support it in every country yet.",
                    "it would cost more to run than it would help most of you.",
                    "we couldn't find a way to do it that meets our own standards."],
    ("fr", False): ["nos partenaires ne peuvent pas encore le proposer dans tous les pays.",
                    "aucun fournisseur ne répond encore à nos exigences pour cela."],
}
MERGE_NOTES = {"en": "Merging this duplicate: same request, so your votes now count together here.",
               "fr": "Doublon fusionné : c'est la même demande, vos votes comptent désormais ensemble ici."}
CUSTOMERS = ["Hélène Girard", "Tom Baker", "Marc Lemoine", "Julia Weber", "Ines Duarte", "Peter Holm", "Anaïs Morel",
             "Ben Carter", "Sophie Laine", "Ravi Shah", "Claire Dumas", "Ollie Grant", "Nadia Benali", "Karl Fischer"]
CUSTOMER_NOTES = {
    "email": ["Wrote to support after returning a pair that didn't fit.", "Email to the help desk, asked us to pass it on.",
              "Mentioned it in a warranty claim."],
    "phone": ["Called the shop; wants it for her whole hiking club.", "Phone order, asked if we'd ever make it."],
    "social": ["Instagram DM after the spring launch post.", "Comment on our Facebook page, 40 likes.",
               "Asked during the live Q&A."],
}
MONTHS = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
                 "December"],
          "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre",
                 "décembre"]}
SEASONS = {"en": ["winter", "spring", "summer", "autumn"], "fr": ["hiver", "printemps", "été", "automne"]}
